import type { Address } from 'viem';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { countingProvider, flakyProvider } from '../_test/providers.js';
import { StreamRecorder } from '../_test/stream-recorder.js';
import { TOKEN_EVENTS } from '../token.js';
import type { EvmDatasource } from './evm-datasource.js';
import { createEvmNodeKind } from './evm-node-kind.js';
import { type LocalNode, startLocalNode } from './local-node.js';
import type { RequestProvider } from './provider.js';
import { RpcRetriesExhaustedError } from './retry.js';
import { TrafficGenerator } from './traffic.js';

// The datasource against a real (in-process) ganache node: ranges, realtime, reorgs of every shape,
// confirmations and failing requests. No database: a recorder plays the runtime's part.

let node: LocalNode;
let traffic: TrafficGenerator;
const recorders: StreamRecorder[] = [];

beforeEach(async () => {
  node = await startLocalNode({ traders: 4 });
  traffic = new TrafficGenerator(node, { seed: 11, transfersPerBlock: [1, 3] });
});

afterEach(async () => {
  for (const recorder of recorders.splice(0)) await recorder.stop();
  await node.close();
});

function datasource(
  options: Record<string, unknown> = {},
  provider: RequestProvider = node.provider,
): EvmDatasource {
  let created: EvmDatasource | undefined;
  const factory = createEvmNodeKind({ embedded: provider, onCreate: (datasource) => (created = datasource) });
  factory({
    name: 'node',
    options: { url: 'embedded', contract: node.token, poll_interval_ms: 20, ...options },
  });
  return created!;
}

function record(source: EvmDatasource, from = 0, to?: number): StreamRecorder {
  const recorder = new StreamRecorder(source, from, to);
  recorders.push(recorder);
  return recorder;
}

async function mine(blocks: number): Promise<number> {
  let head = 0;
  for (let index = 0; index < blocks; index++) head = (await traffic.mineBlock()).number;
  return head;
}

/** The contract's logs on the canonical chain, as ids. */
async function canonicalLogIds(): Promise<string[]> {
  const logs = await node.client.getLogs({
    address: node.token,
    events: TOKEN_EVENTS,
    fromBlock: 0n,
    toBlock: 'latest',
  });
  return logs.map((log) => `${log.transactionHash}:${log.logIndex}`);
}

const ids = (recorder: StreamRecorder): string[] =>
  recorder.items().map((item) => `${item.transactionHash}:${item.logIndex}`);

async function caughtUp(recorder: StreamRecorder): Promise<void> {
  const head = await node.head();
  const hash = (await node.client.getBlock({ blockNumber: BigInt(head) })).hash;
  await vi.waitFor(() => expect(recorder.tip()?.hash).toBe(hash), { timeout: 10_000, interval: 20 });
}

describe('the evm.node datasource', () => {
  it('syncs history with eth_getLogs in ranges of batch_size, then reports realtime', async () => {
    await mine(25);
    const counted = countingProvider(node.provider);
    const recorder = record(datasource({ batch_size: 10 }, counted));
    await vi.waitFor(() => expect(recorder.events.some((event) => event.type === 'realtime')).toBe(true), {
      timeout: 10_000,
    });
    const levels = recorder.levels().map((level) => level.number);
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
    // Each range's last block is delivered even without logs, so the runtime can store its hash.
    expect(levels).toEqual(expect.arrayContaining([9, 19, 27]));
    expect(ids(recorder)).toEqual(await canonicalLogIds());
    expect(counted.counts.get('eth_getLogs')).toBe(3);
    const realtimeAt = recorder.events.findIndex((event) => event.type === 'realtime');
    expect(recorder.events.slice(realtimeAt + 1).filter((event) => event.type === 'level')).toEqual([]);
    expect(recorder.error).toBeUndefined();
  });

  it('delivers new blocks in realtime, each with its parent hash linking to the previous one', async () => {
    const source = datasource();
    const recorder = record(source);
    await caughtUp(recorder);
    await mine(3);
    await caughtUp(recorder);
    const realtime = recorder.levels().slice(-3);
    expect(realtime.map((level) => level.number)).toEqual([3, 4, 5]);
    expect(realtime[1]!.parentHash).toBe(realtime[0]!.hash);
    expect(realtime[2]!.parentHash).toBe(realtime[1]!.hash);
    expect(source.status.head).toBe(5);
    expect(ids(recorder)).toEqual(await canonicalLogIds());
  });

  it('reports a reorg to a longer branch at the common ancestor and continues on the new branch', async () => {
    await mine(5);
    const source = datasource();
    const recorder = record(source);
    await caughtUp(recorder);
    const ancestor = await node.head();
    const snapshot = await node.request<string>('evm_snapshot');
    await mine(3);
    await caughtUp(recorder);
    const abandoned = recorder
      .items()
      .filter((item) => item.blockNumber > ancestor)
      .map((item) => `${item.transactionHash}:${item.logIndex}`);
    expect(abandoned.length).toBeGreaterThan(0);
    await node.request('evm_revert', [snapshot]);
    await mine(4);
    await caughtUp(recorder);
    expect(recorder.reorgs()).toEqual([ancestor]);
    expect(ids(recorder)).toEqual(await canonicalLogIds());
    expect(ids(recorder).filter((id) => abandoned.includes(id))).toEqual([]);
    expect(source.status).toMatchObject({ reorgs: 1, deepestReorg: 3 });
    // Realtime once caught up, and again after the reorg (the runtime counts a reorg as falling behind).
    expect(recorder.events.filter((event) => event.type === 'realtime')).toHaveLength(2);
    expect(recorder.events.findIndex((event) => event.type === 'reorg')).toBeLessThan(
      recorder.events.findLastIndex((event) => event.type === 'realtime'),
    );
  });

  it('finds a reorg that keeps the height (no new head to notice) by re-checking the tip', async () => {
    await mine(5);
    const recorder = record(datasource());
    await caughtUp(recorder);
    const ancestor = await node.head();
    const snapshot = await node.request<string>('evm_snapshot');
    await mine(3);
    await caughtUp(recorder);
    const branchA = recorder.tip()!;
    await node.request('evm_revert', [snapshot]);
    await mine(3);
    expect(await node.head()).toBe(branchA.number);
    await caughtUp(recorder);
    expect(recorder.reorgs()).toEqual([ancestor]);
    expect(recorder.tip()!.hash).not.toBe(branchA.hash);
    expect(ids(recorder)).toEqual(await canonicalLogIds());
  });

  it('finds a reorg that lowered the head, and waits there for the chain to grow again', async () => {
    await mine(5);
    const recorder = record(datasource());
    await caughtUp(recorder);
    const ancestor = await node.head();
    const snapshot = await node.request<string>('evm_snapshot');
    await mine(2);
    await caughtUp(recorder);
    await node.request('evm_revert', [snapshot]);
    await vi.waitFor(() => expect(recorder.reorgs()).toEqual([ancestor]), { timeout: 10_000 });
    expect(recorder.tip()!.number).toBe(ancestor);
    await mine(1);
    await caughtUp(recorder);
    expect(recorder.tip()!.number).toBe(ancestor + 1);
    expect(ids(recorder)).toEqual(await canonicalLogIds());
  });

  it('delivers a block only once it is `confirmations` deep, so shallower reorgs never reach the runtime', async () => {
    await mine(6);
    const recorder = record(datasource({ confirmations: 3 }));
    await vi.waitFor(() => expect(recorder.tip()?.number).toBe(5), { timeout: 10_000 });
    const snapshot = await node.request<string>('evm_snapshot');
    await mine(2);
    await node.request('evm_revert', [snapshot]);
    await mine(4);
    await vi.waitFor(() => expect(recorder.tip()?.number).toBe(9), { timeout: 10_000 });
    expect(recorder.reorgs()).toEqual([]);
    const logs = await node.client.getLogs({
      address: node.token,
      events: TOKEN_EVENTS,
      fromBlock: 0n,
      toBlock: 9n,
    });
    expect(ids(recorder)).toEqual(logs.map((log) => `${log.transactionHash}:${log.logIndex}`));
  });

  it('ends the stream after `to`, and answers getHash with the canonical hash or undefined above the head', async () => {
    await mine(8);
    const source = datasource({ batch_size: 3 });
    const recorder = record(source, 2, 6);
    await recorder.done;
    expect(recorder.tip()!.number).toBe(6);
    expect(Math.min(...recorder.levels().map((level) => level.number))).toBeGreaterThanOrEqual(2);
    expect(await source.getHash(6)).toBe((await node.client.getBlock({ blockNumber: 6n })).hash);
    expect(await source.getHash(1_000)).toBeUndefined();
  });

  it('retries failing requests with back-off and loses nothing', async () => {
    await mine(30);
    const flaky = flakyProvider(node.provider, { failureRate: 0.3 });
    const source = datasource(
      { batch_size: 4, retry: { attempts: 12, min_delay_ms: 1, max_delay_ms: 10 } },
      flaky,
    );
    const recorder = record(source);
    await caughtUp(recorder);
    await mine(5);
    await caughtUp(recorder);
    expect(flaky.failures).toBeGreaterThan(5);
    expect(source.status.retries).toBe(flaky.failures);
    expect(ids(recorder)).toEqual(await canonicalLogIds());
    expect(recorder.error).toBeUndefined();
  });

  it('gives up after the last attempt with an error naming the request, the endpoint and the fix', async () => {
    const broken = flakyProvider(node.provider, { failureRate: 1 });
    const recorder = record(datasource({ retry: { attempts: 3, min_delay_ms: 1, max_delay_ms: 2 } }, broken));
    await recorder.done;
    expect(recorder.error).toBeInstanceOf(RpcRetriesExhaustedError);
    expect((recorder.error as Error).message).toMatch(
      /^RPC request eth_blockNumber to embedded failed 3 times; the last error: An unknown RPC error occurred: socket hang up\. .*retry\.attempts/,
    );
    expect(broken.failures).toBe(3);
  });

  it('checks its options: an unknown key or a bad value is a ConfigurationError naming the path', () => {
    const factory = createEvmNodeKind({ embedded: node.provider });
    const create = (options: Record<string, unknown>) => () =>
      factory({ name: 'node', options: { url: 'embedded', contract: node.token, ...options } });
    expect(create({ confirmation: 1 })).toThrow(
      'datasources.node.confirmation: expected one of the keys url, contract, confirmations, batch_size, poll_interval_ms, timeout_ms, rollback_depth, retry, found `confirmation`.',
    );
    expect(create({ batch_size: 0 })).toThrow(
      'datasources.node.batch_size: expected a whole number of at least 1, found 0 (number).',
    );
    expect(create({ contract: 12 as unknown as Address })).toThrow(
      /datasources\.node\.contract: expected the address/,
    );
    expect(create({ url: 'ws://127.0.0.1:8545' })).toThrow(
      /datasources\.node\.url: expected an http:\/\/ or https:\/\//,
    );
    expect(create({ retry: { attempts: 2, backoff: 1 } })).toThrow(
      /datasources\.node\.retry\.backoff: expected one of the keys attempts/,
    );
    expect(() =>
      createEvmNodeKind()({ name: 'node', options: { url: 'embedded', contract: node.token } }),
    ).toThrow(/no embedded node runs in this process/);
  });
});
