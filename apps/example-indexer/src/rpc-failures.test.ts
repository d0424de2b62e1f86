import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readChainTruth } from './_test/chain-truth.js';
import { readDatabaseState } from './_test/database-state.js';
import { createTestDatabase, DATABASES, type TestDatabase } from './_test/databases.js';
import { type FlakyProxy, startFlakyProxy } from './_test/flaky-proxy.js';
import { silentStream } from './_test/silent.js';
import { appDir } from './app-dir.js';
import { ChainDriver } from './evm/chain-driver.js';
import { type LocalNode, startLocalNode } from './evm/local-node.js';
import { TrafficGenerator } from './evm/traffic.js';
import { type ExampleRun, startExample } from './run-example.js';

// The example on a node reached over HTTP through a proxy on 127.0.0.1 that drops connections,
// answers 503 and delays answers past the client's timeout, while the chain grows and reorganises.
// The datasource must retry with back-off and end with exactly the chain's data.
describe.each(DATABASES)('the example behind a flaky RPC connection, on $name', ({ kind }) => {
  let node: LocalNode | undefined;
  let proxy: FlakyProxy | undefined;
  let database: TestDatabase | undefined;
  let run: ExampleRun | undefined;
  afterEach(async () => {
    await run?.stop();
    await proxy?.close();
    await node?.close();
    await database?.cleanup();
    run = undefined;
    proxy = undefined;
    node = undefined;
    database = undefined;
  });

  it('retries dropped, failed and timed-out requests and loses nothing', async () => {
    node = await startLocalNode({ port: 0, traders: 5 });
    const traffic = new TrafficGenerator(node, { seed: 21 });
    for (let block = 0; block < 40; block++) await traffic.mineBlock();
    proxy = await startFlakyProxy(node.url!, {
      dropRate: 0.08,
      errorRate: 0.08,
      delayRate: 0.06,
      delayMs: 600,
    });
    database = createTestDatabase(
      kind,
      [
        'datasources:',
        '  node:',
        '    batch_size: 7',
        '    timeout_ms: 300',
        '    retry: { attempts: 20, min_delay_ms: 10, max_delay_ms: 200 }',
        '',
      ].join('\n'),
    );
    run = await startExample({
      rpcUrl: proxy.url,
      contract: node.token,
      configFiles: [path.join(appDir(), 'hookdex.yaml'), database.overlay],
      env: { HOOKDEX_POLL_INTERVAL_MS: '20' },
      blocks: 30,
      progress: 'off',
      output: silentStream(),
    });
    // The bound counts from the head the datasource saw first: let it look before the chain moves.
    const started = run;
    await vi.waitFor(() => expect(started.datasource()?.status.head).toBe(42), { timeout: 30_000 });
    const driver = new ChainDriver({
      node,
      traffic,
      blockIntervalMs: 40,
      reorgs: { every: 5, depths: [2, 4] },
      blocks: 30,
      beforeRevert: (tip) =>
        vi.waitFor(
          () => expect(started.datasource()?.status.processed?.number).toBeGreaterThanOrEqual(tip.number),
          {
            timeout: 20_000,
            interval: 20,
          },
        ),
    });
    await driver.run(new AbortController().signal);
    const summary = await run.finished;
    expect(summary.error).toBeUndefined();
    expect(summary.reason).toBe('blocks');

    expect(proxy.counts.dropped).toBeGreaterThan(0);
    expect(proxy.counts.failed).toBeGreaterThan(0);
    expect(proxy.counts.delayed).toBeGreaterThan(0);
    expect(summary.rpcRetries).toBeGreaterThanOrEqual(proxy.counts.dropped + proxy.counts.failed);
    expect(driver.reorgs.length).toBeGreaterThanOrEqual(3);
    expect(summary.reorgs).toBe(driver.reorgs.length);

    const truth = await readChainTruth(node.client, node.token);
    const state = await readDatabaseState(database);
    expect(state.level).toBe(truth.head);
    expect(state.transfers.map((transfer) => transfer.id)).toEqual(
      truth.transfers.map((transfer) => transfer.id),
    );
    expect(state.balances).toEqual(truth.balances);
    expect(state.checkpoints).toEqual(truth.checkpoints);
    expect(state.alerts).toEqual([...truth.alerted].sort());
  });
});
