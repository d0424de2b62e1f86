import type { Address, Hash } from 'viem';
import { LARGE_TRANSFER } from '../alerts.js';
import type { LocalNode } from './local-node.js';
import { Random } from './random.js';

/** Options of the traffic generator. */
export interface TrafficOptions {
  /** Seed of the PRNG: the same seed gives the same transfers. Default 1. */
  seed?: number;
  /** Transfers per block, both bounds included. Default [1, 4]. */
  transfersPerBlock?: readonly [number, number];
}

/** One block the generator mined. */
export interface MinedBlock {
  number: number;
  transactions: Hash[];
}

const TOKEN = 10n ** 18n;

/**
 * Random transfers among the node's traders, a batch per block: most are small, about one in
 * twenty is large (an alert), and about one in ten goes to a new address, so holders come and go.
 */
export class TrafficGenerator {
  private readonly random: Random;
  private readonly perBlock: readonly [number, number];

  constructor(
    private readonly node: LocalNode,
    options: TrafficOptions = {},
  ) {
    this.random = new Random(options.seed ?? 1);
    this.perBlock = options.transfersPerBlock ?? [1, 4];
    const [min, max] = this.perBlock;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
      throw new RangeError(`transfersPerBlock: expected integers 1 <= min <= max, found [${min}, ${max}].`);
    }
  }

  /** Sends a random batch of transfers and mines them in one block. */
  async mineBlock(): Promise<MinedBlock> {
    const count = this.random.int(this.perBlock[0], this.perBlock[1]);
    const transactions: Hash[] = [];
    for (let index = 0; index < count; index++) {
      const from = this.random.pick(this.node.traders);
      const to = this.recipient(from);
      transactions.push(await this.node.sendTransfer(from, to, this.amount()));
    }
    return { number: await this.node.mine(), transactions };
  }

  private recipient(from: Address): Address {
    if (this.random.next() < 0.1) {
      // A fresh address nobody has a key for: it becomes a holder that never sends.
      const suffix = Math.floor(this.random.next() * 2 ** 32)
        .toString(16)
        .padStart(8, '0');
      return `0x00000000000000000000000000000000${suffix}`;
    }
    const others = this.node.traders.filter((trader) => trader !== from);
    return this.random.pick(others);
  }

  private amount(): bigint {
    if (this.random.next() < 0.05) return this.random.bigint(LARGE_TRANSFER, LARGE_TRANSFER * 10n);
    return this.random.bigint(TOKEN / 100n, 1_000n * TOKEN);
  }
}
