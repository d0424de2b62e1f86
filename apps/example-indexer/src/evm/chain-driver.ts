import type { Hash } from 'viem';
import type { LocalNode } from './local-node.js';
import { Random } from './random.js';
import { sleep } from './sleep.js';
import type { TrafficGenerator } from './traffic.js';

/** How often and how deep the driver reorganises the chain. */
export interface ReorgOptions {
  /** A reorg after every this many blocks; 0 turns reorgs off. */
  every: number;
  /** Depths to use, in turn (`[2, 5]`), or `{ min, max }` for random depths in that range. */
  depths: readonly number[] | { min: number; max: number };
}

/** One reorg the driver made. */
export interface DrivenReorg {
  /** The last block both branches share. */
  commonAncestor: number;
  depth: number;
  /** Transactions of the abandoned branch: none of them may remain indexed. */
  reverted: Hash[];
}

export interface ChainDriverOptions {
  node: LocalNode;
  traffic: TrafficGenerator;
  /** Pause between blocks. */
  blockIntervalMs: number;
  reorgs: ReorgOptions;
  /** Stop once the head is this many blocks above where it started; default: run until stopped. */
  blocks?: number;
  /** Seed for random reorg depths. Default 7. */
  seed?: number;
  /**
   * Called with the tip of a branch about to be abandoned; the driver waits for it (so the indexer
   * has seen the branch and the reorg really reaches it) before reverting.
   */
  beforeRevert?: (tip: { number: number; hash: Hash }) => Promise<void>;
  onBlock?: (number: number) => void;
  onReorg?: (reorg: DrivenReorg) => void;
}

/**
 * Produces the embedded chain: a traffic block every `blockIntervalMs`, and every `reorgs.every`
 * blocks a reorg made with `evm_snapshot` / `evm_revert`: `depth` blocks are mined on a branch, the
 * branch is abandoned, and `depth + 1` different blocks are mined in its place.
 */
export class ChainDriver {
  readonly reorgs: DrivenReorg[] = [];
  private readonly random: Random;
  private reorgCount = 0;
  private startHead: number | undefined;

  constructor(private readonly options: ChainDriverOptions) {
    this.random = new Random(options.seed ?? 7);
    const { every } = options.reorgs;
    if (!Number.isInteger(every) || every < 0) {
      throw new RangeError(`reorgs.every: expected a whole number of blocks (0 for none), found ${every}.`);
    }
    for (const depth of this.depthChoices()) {
      if (!Number.isInteger(depth) || depth < 1) {
        throw new RangeError(`reorgs.depths: expected whole numbers of at least 1, found ${depth}.`);
      }
    }
  }

  /** The head when `run` started. */
  get start(): number | undefined {
    return this.startHead;
  }

  /** Mines blocks until `blocks` is reached or `signal` is aborted. */
  async run(signal: AbortSignal): Promise<void> {
    const { node, blocks, blockIntervalMs, reorgs } = this.options;
    let head = await node.head();
    this.startHead = head;
    const target = blocks === undefined ? Number.POSITIVE_INFINITY : head + blocks;
    let sinceReorg = 0;
    while (!signal.aborted && head < target) {
      const depth = reorgs.every > 0 && sinceReorg >= reorgs.every ? this.nextDepth() : 0;
      // A reorg mines depth + 1 blocks in place of depth: the head ends that much higher.
      if (depth > 0 && head + depth + 1 <= target) {
        head = await this.reorg(depth, signal);
        sinceReorg = 0;
      } else {
        head = (await this.options.traffic.mineBlock()).number;
        this.options.onBlock?.(head);
        sinceReorg++;
      }
      await sleep(blockIntervalMs, signal);
    }
  }

  private async reorg(depth: number, signal: AbortSignal): Promise<number> {
    const { node, traffic } = this.options;
    const commonAncestor = await node.head();
    const snapshot = await node.request<string>('evm_snapshot');
    const reverted: Hash[] = [];
    let tip = commonAncestor;
    for (let index = 0; index < depth; index++) {
      const block = await traffic.mineBlock();
      reverted.push(...block.transactions);
      tip = block.number;
      this.options.onBlock?.(tip);
      if (index < depth - 1) await sleep(this.options.blockIntervalMs, signal);
    }
    const tipBlock = await node.client.getBlock({ blockNumber: BigInt(tip) });
    await this.options.beforeRevert?.({ number: tip, hash: tipBlock.hash });
    if (!(await node.request<boolean>('evm_revert', [snapshot]))) {
      throw new Error(
        `evm_revert(${snapshot}) was refused: the snapshot at block ${commonAncestor} is gone.`,
      );
    }
    const reorg = { commonAncestor, depth, reverted };
    this.reorgs.push(reorg);
    this.options.onReorg?.(reorg);
    // The replacement branch is one block longer, so the head moves on; its transfers differ (the
    // PRNG has moved on), so its blocks get other hashes.
    let head = commonAncestor;
    for (let index = 0; index <= depth; index++) {
      head = (await traffic.mineBlock()).number;
      this.options.onBlock?.(head);
    }
    return head;
  }

  private depthChoices(): number[] {
    const { depths } = this.options.reorgs;
    return Array.isArray(depths)
      ? [...depths]
      : [(depths as { min: number }).min, (depths as { max: number }).max];
  }

  private nextDepth(): number {
    const { depths } = this.options.reorgs;
    if (Array.isArray(depths)) {
      const list = depths as readonly number[];
      return list[this.reorgCount++ % list.length] ?? 1;
    }
    const range = depths as { min: number; max: number };
    this.reorgCount++;
    return this.random.int(range.min, range.max);
  }
}
