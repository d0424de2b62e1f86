import type { HookContext } from '@hookdex/core';

/**
 * System hook: every index has caught up with the head (again: it fires after each catch-up, for
 * example once a reorg is handled). Refreshes the planner's statistics (sql/on_synchronized/).
 */
export default async function on_synchronized(ctx: HookContext): Promise<void> {
  await ctx.executeSql('on_synchronized');
  ctx.logger.info('Caught up with the head');
}
