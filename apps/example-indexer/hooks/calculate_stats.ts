import type { HookContext } from '@hookdex/core';

/**
 * The seed's `calculate_stats`: ranks the top `depth` holders into `top_holder` with the SQL scripts
 * of sql/calculate_stats/ (`major: true` for the crontab job's ranking, `false` for the interval
 * job's). Not atomic, as in the seed: it runs in autocommit beside the indexer.
 */
export default async function calculate_stats(
  ctx: HookContext,
  args: { major: boolean; depth: number },
): Promise<void> {
  await ctx.executeSql('calculate_stats', { major: args.major, depth: args.depth });
}
