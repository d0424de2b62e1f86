import type { HookContext } from '@hookdex/core';
import { sleep } from '../src/evm/sleep.js';
import { IndexerStatusEntity } from '../src/models/index.js';

interface StatusRow {
  level: number | string | null;
  holders: number | string;
  transfers: number | string;
}

/**
 * A daemon job's hook: every `interval` seconds it writes a heartbeat with the indexer's totals
 * (a query file, sql/report_status/status.sql) to `indexer_status`. It never returns on its own;
 * when hookdex stops, its signal is aborted, and it writes `stopped` and returns: a clean stop.
 */
export default async function report_status(ctx: HookContext, args: { interval: number }): Promise<void> {
  const statuses = ctx.db.getRepository(IndexerStatusEntity);
  let beats = 0;
  const write = async (state: string): Promise<void> => {
    const [row] = await ctx.executeSqlQuery<StatusRow>('report_status/status.sql');
    beats++;
    await statuses.save({
      id: 'default',
      state,
      level: Number(row?.level ?? -1),
      holders: Number(row?.holders ?? 0),
      transfers: Number(row?.transfers ?? 0),
      beats,
      updatedAt: new Date().toISOString(),
    });
  };
  ctx.logger.info('Started status reporter', { interval_s: args.interval });
  while (!ctx.signal.aborted) {
    await write('running');
    await sleep(args.interval * 1000, ctx.signal);
  }
  await write('stopped');
  ctx.logger.info('Stopped status reporter', { beats });
}
