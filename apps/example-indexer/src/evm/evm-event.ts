import type { Address, Hash } from 'viem';

/** A decoded log of the indexed contract: the item type of the `evm.events` index kind. */
export interface EvmEvent<Name extends string = string, Args = Record<string, unknown>> {
  /** The contract that emitted it. */
  readonly address: Address;
  /** The event's name (`Transfer`); handlers match on it. */
  readonly event: Name;
  readonly args: Args;
  readonly blockNumber: number;
  readonly blockHash: Hash;
  readonly logIndex: number;
  readonly transactionHash: Hash;
}

/** An ERC-20 Transfer, as the `on_transfer` handler receives it. */
export type TransferEvent = EvmEvent<'Transfer', { from: Address; to: Address; value: bigint }>;
