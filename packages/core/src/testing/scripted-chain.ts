import type { Datasource, DatasourceEvent, Level, StreamOptions } from '../runtime/datasource.js';

export interface ScriptedChainOptions<Item> {
  name?: string;
  /** Levels that exist when the chain is created (0 .. levels-1); streams deliver them historically. */
  levels?: number;
  /** The items of a level on a branch; the default is none. Called once per (level, branch). */
  items?: (level: number, branch: number) => Item[];
  /** Reported as `rollbackDepth`. Default 16. */
  rollbackDepth?: number;
  /** A realtime stream this many levels behind the head reports `syncing`. Default 10. */
  behindThreshold?: number;
}

/**
 * A deterministic in-memory chain for tests (`@hookdex/core/testing`): scripted levels with items
 * and hashes, `append` for realtime levels and `reorg(depth)` to replace the newest levels with a
 * new branch. Each stream reports a reorg when levels it delivered are no longer canonical.
 */
export class ScriptedChain<Item = unknown> implements Datasource<Item> {
  readonly name: string;
  readonly rollbackDepth: number;
  private readonly canonical: Array<Level<Item>> = [];
  private readonly makeItems: (level: number, branch: number) => Item[];
  private branches = 0;
  private readonly behindThreshold: number;
  private readonly waiters = new Set<() => void>();
  /** Levels every stream delivered, in order, for assertions (`[level, hash]`). */
  readonly delivered: Array<[number, string]> = [];

  constructor(options: ScriptedChainOptions<Item> = {}) {
    this.name = options.name ?? 'scripted';
    this.rollbackDepth = options.rollbackDepth ?? 16;
    this.makeItems = options.items ?? (() => []);
    this.behindThreshold = options.behindThreshold ?? 10;
    this.extend(options.levels ?? 0);
  }

  /** The highest level, or -1 for an empty chain. */
  get head(): number {
    return this.canonical.length - 1;
  }

  /** The canonical level at `number`. */
  level(number: number): Level<Item> | undefined {
    return this.canonical[number];
  }

  /** Every canonical level, in order. */
  levels(): ReadonlyArray<Level<Item>> {
    return this.canonical;
  }

  /** Adds `count` new levels on top (realtime for streams that caught up). */
  append(count = 1): void {
    this.extend(count);
    this.notify();
  }

  /**
   * Replaces the newest `depth` levels with a new branch of `depth + extra` levels, with other
   * hashes and items (a reorg of that depth). Returns the level both branches share.
   */
  reorg(depth: number, extra = 1): number {
    if (!Number.isInteger(depth) || depth < 1 || depth > this.canonical.length) {
      throw new RangeError(`reorg(${depth}): expected a depth between 1 and ${this.canonical.length}.`);
    }
    const common = this.head - depth;
    this.canonical.length = common + 1;
    this.branches++;
    this.extend(depth + extra);
    this.notify();
    return common;
  }

  async getHash(level: number): Promise<string | undefined> {
    return this.canonical[level]?.hash;
  }

  async *stream(options: StreamOptions): AsyncGenerator<DatasourceEvent<Item>> {
    const { signal } = options;
    let cursor = options.from;
    const seen: Array<[number, string]> = [];
    let realtime = false;
    while (!signal.aborted) {
      // A reorg: the newest delivered level is no longer canonical.
      const last = seen.at(-1);
      if (last !== undefined && this.canonical[last[0]]?.hash !== last[1]) {
        while (seen.length > 0 && this.canonical[seen.at(-1)![0]]?.hash !== seen.at(-1)![1]) seen.pop();
        const toLevel = seen.at(-1)?.[0] ?? options.from - 1;
        cursor = toLevel + 1;
        // The runtime treats a reorg as falling behind: say `realtime` again once caught up.
        realtime = false;
        yield { type: 'reorg', toLevel };
        continue;
      }
      if (realtime && this.head - cursor >= this.behindThreshold) {
        realtime = false;
        yield { type: 'syncing' };
        continue;
      }
      if (options.to !== undefined && cursor > options.to) return;
      const level = this.canonical[cursor];
      if (level !== undefined) {
        seen.push([level.number, level.hash]);
        if (seen.length > 4 * this.rollbackDepth) seen.shift();
        this.delivered.push([level.number, level.hash]);
        cursor++;
        yield { type: 'level', level, head: this.head };
        continue;
      }
      if (!realtime) {
        realtime = true;
        yield { type: 'realtime' };
        continue;
      }
      await this.changed(signal);
    }
  }

  private extend(count: number): void {
    for (let index = 0; index < count; index++) {
      const number = this.canonical.length;
      const parent = this.canonical[number - 1];
      this.canonical.push({
        number,
        hash: `0x${number.toString(16).padStart(8, '0')}b${this.branches}`,
        parentHash: parent?.hash ?? '0x0',
        items: this.makeItems(number, this.branches),
      });
    }
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}
