import type { Address, Hash, PublicClient } from 'viem';
import { ALERT_CONFIRMATIONS, CHECKPOINT_EVERY, LARGE_TRANSFER } from '../alerts.js';
import { TOKEN_EVENTS, TOKEN_FUNCTIONS, ZERO_ADDRESS } from '../token.js';

/** A Transfer as the canonical chain has it. */
export interface ChainTransfer {
  id: string;
  blockNumber: number;
  transactionHash: Hash;
  sender: string;
  recipient: string;
  value: bigint;
}

/** What the database must hold after indexing the chain up to `head`, computed from the node alone. */
export interface ChainTruth {
  head: number;
  transfers: ChainTransfer[];
  /** Non-zero balances by address, from `balanceOf` at the head. */
  balances: Map<string, bigint>;
  /** `level -> { holders, transfers }` for every checkpoint the handler writes. */
  checkpoints: Map<number, { holders: number; transfers: number }>;
  /** Ids of large transfers deep enough to have been alerted. */
  alerted: Set<string>;
}

/** Reads the canonical chain's Transfer logs and every involved account's `balanceOf`. */
export async function readChainTruth(client: PublicClient, token: Address): Promise<ChainTruth> {
  const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
  const logs = await client.getLogs({
    address: token,
    event: TOKEN_EVENTS[0],
    fromBlock: 0n,
    toBlock: BigInt(head),
    strict: true,
  });
  const transfers = logs.map((log) => ({
    id: `${log.transactionHash}:${log.logIndex}`,
    blockNumber: Number(log.blockNumber),
    transactionHash: log.transactionHash,
    sender: log.args.from,
    recipient: log.args.to,
    value: log.args.value,
  }));
  const accounts = new Set<string>();
  for (const transfer of transfers) {
    if (transfer.sender !== ZERO_ADDRESS) accounts.add(transfer.sender);
    accounts.add(transfer.recipient);
  }
  const balances = new Map<string, bigint>();
  for (const account of accounts) {
    const balance = await client.readContract({
      address: token,
      abi: TOKEN_FUNCTIONS,
      functionName: 'balanceOf',
      args: [account as Address],
      blockNumber: BigInt(head),
    });
    if (balance > 0n) balances.set(account, balance);
  }
  return { head, transfers, balances, checkpoints: checkpointsOf(transfers), alerted: alertedOf(transfers) };
}

/** The checkpoints: at the end of level L-1 for every level L with transfers that is a multiple of 10. */
function checkpointsOf(transfers: ChainTransfer[]): Map<number, { holders: number; transfers: number }> {
  const levels = new Set(
    transfers.map((transfer) => transfer.blockNumber).filter((level) => level % CHECKPOINT_EVERY === 0),
  );
  const result = new Map<number, { holders: number; transfers: number }>();
  for (const level of levels) {
    const before = transfers.filter((transfer) => transfer.blockNumber <= level - 1);
    const balances = new Map<string, bigint>();
    for (const transfer of before) {
      if (transfer.sender !== ZERO_ADDRESS) {
        balances.set(transfer.sender, (balances.get(transfer.sender) ?? 0n) - transfer.value);
      }
      balances.set(transfer.recipient, (balances.get(transfer.recipient) ?? 0n) + transfer.value);
    }
    const holders = [...balances.values()].filter((balance) => balance !== 0n).length;
    result.set(level - 1, { holders, transfers: before.length });
  }
  return result;
}

/** Large transfers at least ALERT_CONFIRMATIONS below the newest level with transfers. */
function alertedOf(transfers: ChainTransfer[]): Set<string> {
  const last = Math.max(-1, ...transfers.map((transfer) => transfer.blockNumber));
  return new Set(
    transfers
      .filter(
        (transfer) => transfer.value >= LARGE_TRANSFER && transfer.blockNumber <= last - ALERT_CONFIRMATIONS,
      )
      .map((transfer) => transfer.id),
  );
}

/** The top `depth` holders as `calculate_stats` ranks them: balance descending, then address. */
export function topHolders(
  balances: Map<string, bigint>,
  depth: number,
): Array<{ address: string; balance: bigint }> {
  return [...balances.entries()]
    .map(([address, balance]) => ({ address, balance }))
    .sort((a, b) =>
      a.balance === b.balance ? (a.address < b.address ? -1 : 1) : a.balance > b.balance ? -1 : 1,
    )
    .slice(0, depth);
}
