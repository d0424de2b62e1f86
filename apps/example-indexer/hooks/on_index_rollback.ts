import type { HookContext } from '@hookdex/core';

/**
 * System hook: a datasource reported a reorg. The generated body's two steps: the SQL scripts
 * (here they log the reorg to `reorg_log`), then the database-level rollback, which reverts every
 * change the index made above `toLevel`, newest first, in one transaction.
 */
export default async function on_index_rollback(
  ctx: HookContext,
  args: { index: string; fromLevel: number; toLevel: number },
): Promise<void> {
  await ctx.executeSql('on_index_rollback', {
    index: args.index,
    from_level: args.fromLevel,
    to_level: args.toLevel,
    rolled_back_at: new Date(),
  });
  await ctx.rollback(args.index, args.fromLevel, args.toLevel);
}
