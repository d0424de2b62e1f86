import type { HookContext } from '@hookdex/core';

/**
 * An atomic hook: writes the totals at the end of `level` (sql/record_checkpoint/). The Transfer
 * handler fires it with `wait: true` from inside a level's transaction, so it runs in a SAVEPOINT of
 * that transaction, and a reorg that reverts the level reverts the checkpoint too.
 */
export default async function record_checkpoint(ctx: HookContext, args: { level: number }): Promise<void> {
  await ctx.executeSql('record_checkpoint', { level: args.level });
}
