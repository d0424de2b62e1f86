import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ChainTruth, readChainTruth, topHolders } from './_test/chain-truth.js';
import { readDatabaseState } from './_test/database-state.js';
import { createTestDatabase, DATABASES, type TestDatabase } from './_test/databases.js';
import { silentStream } from './_test/silent.js';
import { appDir } from './app-dir.js';
import { type ExampleRun, type RunSummary, startExample } from './run-example.js';

// The whole example on a real (embedded, in-process) ganache chain with reorgs of several depths:
// afterwards the database must equal what the node says, and every hook and job must have done
// its part. Jobs fire every second here (crontab with seconds, interval 1).
describe.each(DATABASES)('the example indexer end to end on $name', ({ kind }) => {
  let database: TestDatabase | undefined;
  let run: ExampleRun | undefined;
  afterEach(async () => {
    await run?.close();
    await database?.cleanup();
    run = undefined;
    database = undefined;
  });

  it('indexes a chain with reorgs of depths 1 to 5: balances, transfers, stats, checkpoints and alerts match the chain', async () => {
    database = createTestDatabase(kind);
    let jobsAtCatchUp: { major: number; minor: number } | undefined;
    const jobRuns = () => ({
      major: run?.stats.jobs.get('major_stats') ?? 0,
      minor: run?.stats.jobs.get('minor_stats') ?? 0,
    });
    run = await startExample({
      configFiles: [path.join(appDir(), 'hookdex.yaml'), database.overlay],
      env: {
        HOOKDEX_STATS_CRONTAB: '* * * * * *',
        HOOKDEX_STATS_INTERVAL: '1',
        HOOKDEX_STATUS_INTERVAL: '0.5',
        HOOKDEX_POLL_INTERVAL_MS: '20',
      },
      node: { traders: 6 },
      traffic: { seed: 5, blockIntervalMs: 40, transfersPerBlock: [1, 4] },
      reorgs: { every: 8, depths: [1, 3, 5, 2] },
      prefill: 25,
      blocks: 60,
      progress: 'off',
      output: silentStream(),
      beforeStop: async () => {
        // The stats must be ranked on the final chain: wait for two more runs of each job (the
        // first may have started before the chain stopped).
        const before = jobRuns();
        jobsAtCatchUp = before;
        await vi.waitFor(
          () => {
            const now = jobRuns();
            expect(now.major).toBeGreaterThanOrEqual(before.major + 2);
            expect(now.minor).toBeGreaterThanOrEqual(before.minor + 2);
          },
          { timeout: 15_000, interval: 50 },
        );
      },
    });
    const summary: RunSummary = await run.finished;
    expect(summary.error).toBeUndefined();
    expect(summary.reason).toBe('blocks');
    const node = run.node!;
    const truth: ChainTruth = await readChainTruth(node.client, node.token);
    const state = await readDatabaseState(database);

    // Several reorgs of different depths happened, each reached the indexer and was rolled back.
    expect(run.reorgs.map((reorg) => reorg.depth)).toEqual([1, 3, 5, 2, 1, 3].slice(0, run.reorgs.length));
    expect(run.reorgs.length).toBeGreaterThanOrEqual(4);
    expect(state.reorgs).toEqual(
      run.reorgs.map((reorg) => ({
        fromLevel: reorg.commonAncestor + reorg.depth,
        toLevel: reorg.commonAncestor,
      })),
    );
    expect(summary.reorgs).toBe(run.reorgs.length);
    expect(summary.deepestReorg).toBe(5);
    expect(summary.hooks.on_index_rollback).toBe(run.reorgs.length);

    // The database equals the canonical chain.
    expect(state.level).toBe(truth.head);
    expect(state.transfers).toEqual(
      truth.transfers.map(({ id, blockNumber, sender, recipient, value }) => ({
        id,
        blockNumber,
        sender,
        recipient,
        value,
      })),
    );
    expect(state.balances).toEqual(truth.balances);
    expect([...truth.balances.values()].some((balance) => balance > 2n ** 53n)).toBe(true);
    const reverted = new Set(run.reorgs.flatMap((reorg) => reorg.reverted));
    expect(reverted.size).toBeGreaterThan(0);
    expect(
      state.transfers.filter((transfer) => reverted.has(transfer.id.split(':')[0] as `0x${string}`)),
    ).toEqual([]);

    // The atomic checkpoint hook's rows are those of the canonical chain (reorgs reverted the others).
    expect(state.checkpoints).toEqual(truth.checkpoints);
    expect(state.checkpoints.size).toBeGreaterThanOrEqual(8);

    // The deferred alert ran for committed, confirmed transfers only: none from an abandoned branch.
    expect(state.alerts).toEqual([...truth.alerted].sort());
    expect(state.alerts.length).toBeGreaterThan(3);
    expect(state.alerts.filter((id) => reverted.has(id.split(':')[0] as `0x${string}`))).toEqual([]);

    // Both jobs ran (before and after the chain stopped), and the stats table is the direct ranking.
    expect(jobsAtCatchUp).toBeDefined();
    expect(summary.jobs.major_stats).toBeGreaterThanOrEqual(2);
    expect(summary.jobs.minor_stats).toBeGreaterThanOrEqual(2);
    const ranking = (depth: number) =>
      topHolders(truth.balances, depth).map((holder, index) => ({ rank: index + 1, ...holder }));
    expect(state.topHolders.get('major')).toEqual(ranking(10));
    expect(state.topHolders.get('minor')).toEqual(ranking(3));

    // The daemon heartbeat ran and stopped cleanly; the system hooks fired.
    expect(state.status?.state).toBe('stopped');
    expect(state.status?.beats).toBeGreaterThanOrEqual(2);
    expect(summary.hooks.report_status).toBe(1);
    expect(summary.hooks.on_reindex).toBe(1);
    expect(summary.hooks.on_restart).toBe(1);
    // Caught up once at the start and again after each reorg.
    expect(summary.hooks.on_synchronized).toBe(run.reorgs.length + 1);

    // on_restart's view and on_reindex's schema changes are in place.
    const [ranked] = await database.query<{ count: number | string }>(
      'SELECT COUNT(*) AS count FROM holder_ranking',
    );
    expect(Number(ranked?.count)).toBe(truth.balances.size);
    if (kind === 'sqlite') {
      const indexes = await database.query<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'transfer_%' ORDER BY name",
      );
      expect(indexes.map((index) => index.name)).toEqual([
        'transfer_large_block',
        'transfer_recipient',
        'transfer_sender',
      ]);
    } else {
      const columns = await database.query<{
        table_name: string;
        data_type: string;
        numeric_precision: number;
      }>(
        "SELECT table_name, data_type, numeric_precision FROM information_schema.columns WHERE table_schema = current_schema() AND column_name IN ('value', 'balance') AND table_name <> 'holder_ranking' ORDER BY table_name",
      );
      expect(columns).toEqual(
        ['alert', 'holder', 'top_holder', 'transfer'].map((table) => ({
          table_name: table,
          data_type: 'numeric',
          numeric_precision: 78,
        })),
      );
    }
  });
});
