import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readChainTruth } from './_test/chain-truth.js';
import { startChild } from './_test/child-run.js';
import { type DatabaseState, readDatabaseState } from './_test/database-state.js';
import { createTestDatabase, DATABASES, type TestDatabase } from './_test/databases.js';
import { appDir } from './app-dir.js';
import { ChainDriver } from './evm/chain-driver.js';
import { type LocalNode, startLocalNode } from './evm/local-node.js';
import { TrafficGenerator } from './evm/traffic.js';

// A real process of the built example, stopped with SIGTERM in the middle of a run while the chain
// keeps changing (reorgs included), then started again: it must end where an uninterrupted run on a
// fresh database ends, and both where the chain is. The chain lives in the test process (ganache on
// 127.0.0.1) and outlives the indexer, as a real node would.
describe.each(DATABASES)('a run stopped with SIGTERM and restarted, on $name', ({ kind }) => {
  let node: LocalNode | undefined;
  const databases: TestDatabase[] = [];
  afterEach(async () => {
    await node?.close();
    node = undefined;
    for (const database of databases.splice(0)) await database.cleanup();
  });

  it('ends equal to an uninterrupted run and to the chain', async () => {
    node = await startLocalNode({ port: 0, traders: 5 });
    const traffic = new TrafficGenerator(node, { seed: 9 });
    for (let block = 0; block < 30; block++) await traffic.mineBlock();
    const interrupted = createTestDatabase(kind);
    const uninterrupted = createTestDatabase(kind);
    databases.push(interrupted, uninterrupted);
    const args = (database: TestDatabase, ...extra: string[]) => [
      '--rpc-url',
      node!.url!,
      '--contract',
      node!.token,
      '-c',
      path.join(appDir(), 'hookdex.yaml'),
      database.overlay,
      '--progress',
      'log',
      ...extra,
    ];
    const env = { HOOKDEX_POLL_INTERVAL_MS: '20', HOOKDEX_DATABASE_URL: '' };

    const halt = new AbortController();
    const driver = new ChainDriver({
      node,
      traffic,
      blockIntervalMs: 60,
      reorgs: { every: 6, depths: [2, 3] },
      blocks: 50,
    });
    const driving = driver.run(halt.signal);
    const first = startChild(args(interrupted), env);
    await vi.waitFor(
      async () => {
        const [row] = await interrupted.query<{ level: number | string }>(
          "SELECT level FROM hookdex_index WHERE name = 'tokens'",
        );
        expect(Number(row?.level ?? -1)).toBeGreaterThanOrEqual(45);
      },
      { timeout: 60_000, interval: 100 },
    );
    first.kill('SIGTERM');
    const stopped = await first.exited;
    expect(stopped.output).toContain('Received SIGTERM: stopping after the current level');
    expect(stopped.output).toContain('Stopped hookdex');
    expect(stopped.code).toBe(0);
    const levelAtStop = (await readDatabaseState(interrupted)).level!;
    expect(levelAtStop).toBeGreaterThanOrEqual(45);

    await driving;
    expect(driver.reorgs.length).toBeGreaterThanOrEqual(3);
    const resumed = await startChild(args(interrupted, '--blocks', '0'), env).exited;
    expect(resumed.code, resumed.output).toBe(0);
    // It resumed from the stored level (less a rollback, if a reorg took its head), not from the start.
    const resumedFrom = Number(/^Indexed blocks (\d+)\.\./m.exec(resumed.output)?.[1]);
    expect(resumedFrom).toBeGreaterThan(levelAtStop - 6);
    const straight = await startChild(args(uninterrupted, '--blocks', '0'), env).exited;
    expect(straight.code, straight.output).toBe(0);

    const truth = await readChainTruth(node.client, node.token);
    const comparable = (state: DatabaseState) => ({
      level: state.level,
      transfers: state.transfers,
      balances: state.balances,
      checkpoints: state.checkpoints,
      alerts: state.alerts,
    });
    const afterRestart = comparable(await readDatabaseState(interrupted));
    const withoutStop = comparable(await readDatabaseState(uninterrupted));
    expect(afterRestart).toEqual(withoutStop);
    expect(afterRestart.level).toBe(truth.head);
    expect(afterRestart.balances).toEqual(truth.balances);
    expect(afterRestart.transfers.map((transfer) => transfer.id)).toEqual(
      truth.transfers.map((transfer) => transfer.id),
    );
    expect(afterRestart.checkpoints).toEqual(truth.checkpoints);
    expect(afterRestart.alerts).toEqual([...truth.alerted].sort());
  });
});
