import type { Datasource, DatasourceEvent, Level, StreamOptions } from '@hookdex/core';
import type { Address, Hash, PublicClient } from 'viem';
import { BlockNotFoundError, LimitExceededRpcError } from 'viem';
import { TOKEN_EVENTS } from '../token.js';
import type { EvmEvent } from './evm-event.js';
import { AbortedError, type RetryEvent, type RetryPolicy, withRetry } from './retry.js';
import { sleep } from './sleep.js';

/** What the datasource needs: a viem client and how to read the chain. */
export interface EvmDatasourceOptions {
  name: string;
  client: PublicClient;
  /** For messages: the node's URL, or `embedded`. */
  endpoint: string;
  /** The contract whose events are indexed. */
  contract: Address;
  /** Blocks a block must be below the head before it is delivered. */
  confirmations: number;
  /** Blocks per `eth_getLogs` request during historical sync. */
  batchSize: number;
  /** Pause between polls of the head in realtime. */
  pollIntervalMs: number;
  retry: RetryPolicy;
  /** How far back a reorg can reach on this chain (the default of `advanced.rollback_depth`). */
  rollbackDepth: number;
  /** Told about every retried request (the progress line counts them; the log shows them). */
  onRetry?: (event: RetryEvent) => void;
  /** Called each time the stream catches up with the head, before it reports `realtime`. */
  onRealtime?: () => void;
}

/** A block as the datasource remembers it: enough to find where a reorg forked. */
interface Header {
  number: number;
  hash: Hash;
  parentHash: Hash;
}

/** What the progress line shows about the chain. */
export interface EvmDatasourceStatus {
  /** The node's head at the last poll. */
  head: number | undefined;
  /** The newest level the runtime has finished with (it asked for the next event). */
  processed: { number: number; hash: Hash } | undefined;
  realtime: boolean;
  reorgs: number;
  deepestReorg: number;
  retries: number;
}

/** A range of levels could not be read consistently (the chain changed while it was read). */
const MOVED = Symbol('moved');

/**
 * An EVM JSON-RPC datasource (the `evm.node` kind): historical sync with `eth_getLogs` over block
 * ranges, then realtime by polling the head. Reorgs are detected by hashes: on every poll the newest
 * delivered block must still be canonical, and every new range must continue it (its first block's
 * parent hash). On a mismatch it walks back to the newest delivered block that is still canonical
 * and reports `reorg` to it. Every request is retried with back-off (see `retry.ts`).
 */
export class EvmDatasource implements Datasource<EvmEvent> {
  readonly name: string;
  readonly rollbackDepth: number;
  readonly status: EvmDatasourceStatus = {
    head: undefined,
    processed: undefined,
    realtime: false,
    reorgs: 0,
    deepestReorg: 0,
    retries: 0,
  };
  private batchSize: number;
  private readonly closed = new AbortController();

  constructor(private readonly options: EvmDatasourceOptions) {
    this.name = options.name;
    this.rollbackDepth = options.rollbackDepth;
    this.batchSize = options.batchSize;
  }

  async getHash(level: number): Promise<string | undefined> {
    return (await this.header(level, this.closed.signal))?.hash;
  }

  async close(): Promise<void> {
    this.closed.abort();
  }

  async *stream(options: StreamOptions): AsyncGenerator<DatasourceEvent<EvmEvent>> {
    const signal = AbortSignal.any([options.signal, this.closed.signal]);
    try {
      yield* this.run(options, signal);
    } catch (error) {
      // Stopping while a request waits for a retry is a normal end of the stream.
      if (!(error instanceof AbortedError)) throw error;
    }
  }

  private async *run(options: StreamOptions, signal: AbortSignal): AsyncGenerator<DatasourceEvent<EvmEvent>> {
    const { confirmations, pollIntervalMs } = this.options;
    // Delivered blocks, oldest first, within the rollback window: the candidates of a common ancestor.
    const delivered: Header[] = [];
    let cursor = options.from;
    let realtime = false;
    while (!signal.aborted) {
      if (options.to !== undefined && cursor > options.to) return;
      const head = Number(
        await this.call(
          'eth_blockNumber',
          () => this.options.client.getBlockNumber({ cacheTime: 0 }),
          signal,
        ),
      );
      this.status.head = head;
      const tip = delivered.at(-1);
      if (tip !== undefined && (await this.header(tip.number, signal))?.hash !== tip.hash) {
        const ancestor = await this.commonAncestor(delivered, options.from - 1, signal);
        const depth = tip.number - ancestor;
        this.status.reorgs++;
        this.status.deepestReorg = Math.max(this.status.deepestReorg, depth);
        cursor = ancestor + 1;
        // The runtime treats a reorg as falling behind (its index is `syncing` again), so the stream
        // reports `realtime` once more when it has caught up: on_synchronized fires after each reorg.
        realtime = false;
        this.status.realtime = false;
        yield { type: 'reorg', toLevel: ancestor };
        const last = delivered.at(-1);
        this.status.processed = last === undefined ? undefined : { number: last.number, hash: last.hash };
        continue;
      }
      const safeHead = head - confirmations;
      if (cursor > safeHead) {
        if (!realtime) {
          realtime = true;
          this.status.realtime = true;
          this.options.onRealtime?.();
          yield { type: 'realtime' };
        }
        await sleep(pollIntervalMs, signal);
        continue;
      }
      if (realtime && safeHead - cursor >= this.batchSize) {
        realtime = false;
        this.status.realtime = false;
        yield { type: 'syncing' };
      }
      const end = Math.min(cursor + this.batchSize - 1, safeHead, options.to ?? Number.POSITIVE_INFINITY);
      const levels = await this.readRange(cursor, end, tip, signal);
      if (levels === MOVED) {
        // The chain changed under the read: the next round checks the tip and finds the reorg. A
        // short pause keeps a chain that is reorganising right now from being asked in a tight loop.
        await sleep(Math.min(pollIntervalMs, 50), signal);
        continue;
      }
      for (const level of levels) {
        delivered.push({
          number: level.number,
          hash: level.hash as Hash,
          parentHash: level.parentHash as Hash,
        });
        yield { type: 'level', level, head };
        // The runtime asks for the next event only once it has committed this level.
        this.status.processed = { number: level.number, hash: level.hash as Hash };
        if (signal.aborted) return;
      }
      while (delivered.length > 0 && delivered[0]!.number < end - this.rollbackDepth) delivered.shift();
      cursor = end + 1;
    }
  }

  /**
   * The levels of blocks `from`..`to` that have logs, plus `to` itself (so the runtime stores the
   * range's end and its hash). Reads `to`'s header before and after `eth_getLogs`: when it is the
   * same, the logs and every header in between belong to one chain. Returns MOVED when they did not,
   * or when `from` does not continue `tip`.
   */
  private async readRange(
    from: number,
    to: number,
    tip: Header | undefined,
    signal: AbortSignal,
  ): Promise<Array<Level<EvmEvent>> | typeof MOVED> {
    const end = await this.header(to, signal);
    if (end === undefined) return MOVED;
    const first = from === to ? end : await this.header(from, signal);
    if (first === undefined) return MOVED;
    if (tip !== undefined && tip.number === from - 1 && first.parentHash !== tip.hash) return MOVED;
    const logs = await this.logs(from, to, signal);
    if (logs === undefined) return MOVED;
    const again = await this.header(to, signal);
    if (again?.hash !== end.hash) return MOVED;
    const byBlock = new Map<number, EvmEvent[]>();
    for (const log of logs) {
      const list = byBlock.get(log.blockNumber) ?? [];
      list.push(log);
      byBlock.set(log.blockNumber, list);
    }
    const numbers = [...byBlock.keys()].sort((a, b) => a - b);
    if (!byBlock.has(to)) numbers.push(to);
    const known = new Map<number, Header>([
      [from, first],
      [to, end],
    ]);
    const levels: Array<Level<EvmEvent>> = [];
    for (const number of numbers) {
      const header = known.get(number) ?? (await this.header(number, signal));
      if (header === undefined) return MOVED;
      const items = (byBlock.get(number) ?? []).sort((a, b) => a.logIndex - b.logIndex);
      if (items.some((item) => item.blockHash !== header.hash)) return MOVED;
      levels.push({ number, hash: header.hash, parentHash: header.parentHash, items });
    }
    return levels;
  }

  /** The contract's decoded events in blocks `from`..`to`; a node's range limit halves the batch. */
  private async logs(from: number, to: number, signal: AbortSignal): Promise<EvmEvent[] | undefined> {
    const { client, contract } = this.options;
    try {
      const logs = await this.call(
        `eth_getLogs ${from}..${to}`,
        () =>
          client.getLogs({
            address: contract,
            events: TOKEN_EVENTS,
            fromBlock: BigInt(from),
            toBlock: BigInt(to),
            strict: true,
          }),
        signal,
      );
      return logs.map((log) => ({
        address: log.address,
        event: log.eventName,
        args: log.args as Record<string, unknown>,
        blockNumber: Number(log.blockNumber),
        blockHash: log.blockHash,
        logIndex: log.logIndex,
        transactionHash: log.transactionHash,
      }));
    } catch (error) {
      // NOTE: public nodes cap the blocks or results of one eth_getLogs; ask for fewer and try again.
      if (error instanceof LimitExceededRpcError && to > from) {
        this.batchSize = Math.max(1, Math.floor((to - from + 1) / 2));
        return undefined;
      }
      throw error;
    }
  }

  /** The header of block `number`, or undefined above the head. */
  private async header(number: number, signal: AbortSignal): Promise<Header | undefined> {
    try {
      const block = await this.call(
        `eth_getBlockByNumber ${number}`,
        () => this.options.client.getBlock({ blockNumber: BigInt(number) }),
        signal,
      );
      return { number, hash: block.hash, parentHash: block.parentHash };
    } catch (error) {
      if (error instanceof BlockNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * The newest delivered block that is still canonical (or, from a delivered block's parent hash,
   * the block just below it), removing the others from `delivered`; `floor` when none is.
   */
  private async commonAncestor(delivered: Header[], floor: number, signal: AbortSignal): Promise<number> {
    while (delivered.length > 0) {
      const newest = delivered.at(-1)!;
      if ((await this.header(newest.number, signal))?.hash === newest.hash) return newest.number;
      delivered.pop();
      const below = delivered.at(-1);
      const parent = newest.number - 1;
      if (parent > floor && below?.number !== parent) {
        const header = await this.header(parent, signal);
        if (header?.hash === newest.parentHash) {
          delivered.push(header);
          return parent;
        }
      }
    }
    return floor;
  }

  private call<T>(label: string, operation: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return withRetry(operation, {
      label,
      endpoint: this.options.endpoint,
      policy: this.options.retry,
      signal,
      onRetry: (event) => {
        this.status.retries++;
        this.options.onRetry?.(event);
      },
    });
  }
}
