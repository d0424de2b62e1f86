import type { TestDatabase } from './databases.js';

/** The example's tables, read back with plain SQL (amounts as bigint). */
export interface DatabaseState {
  transfers: Array<{ id: string; blockNumber: number; sender: string; recipient: string; value: bigint }>;
  balances: Map<string, bigint>;
  checkpoints: Map<number, { holders: number; transfers: number }>;
  alerts: string[];
  topHolders: Map<string, Array<{ rank: number; address: string; balance: bigint }>>;
  reorgs: Array<{ fromLevel: number; toLevel: number }>;
  status: { state: string; beats: number } | undefined;
  /** The index's stored level. */
  level: number | undefined;
}

/** Reads every table the example writes. */
export async function readDatabaseState(database: TestDatabase): Promise<DatabaseState> {
  const transfers = await database.query<{
    id: string;
    block_number: number | string;
    sender: string;
    recipient: string;
    value: string;
  }>('SELECT id, block_number, sender, recipient, value FROM transfer ORDER BY block_number, log_index');
  const holders = await database.query<{ address: string; balance: string }>(
    'SELECT address, balance FROM holder',
  );
  const checkpoints = await database.query<{
    level: number | string;
    holders: number | string;
    transfers: number | string;
  }>('SELECT level, holders, transfers FROM checkpoint');
  const alerts = await database.query<{ transfer_id: string }>(
    'SELECT transfer_id FROM alert ORDER BY transfer_id',
  );
  const top = await database.query<{
    scope: string;
    rank: number | string;
    address: string;
    balance: string;
  }>('SELECT scope, rank, address, balance FROM top_holder ORDER BY scope, rank');
  const reorgs = await database.query<{ from_level: number | string; to_level: number | string }>(
    'SELECT from_level, to_level FROM reorg_log ORDER BY id',
  );
  const status = await database.query<{ state: string; beats: number | string }>(
    "SELECT state, beats FROM indexer_status WHERE id = 'default'",
  );
  const index = await database.query<{ level: number | string }>(
    "SELECT level FROM hookdex_index WHERE name = 'tokens'",
  );
  const topHolders = new Map<string, Array<{ rank: number; address: string; balance: bigint }>>();
  for (const row of top) {
    const list = topHolders.get(row.scope) ?? [];
    list.push({ rank: Number(row.rank), address: row.address, balance: BigInt(row.balance) });
    topHolders.set(row.scope, list);
  }
  return {
    transfers: transfers.map((row) => ({
      id: row.id,
      blockNumber: Number(row.block_number),
      sender: row.sender,
      recipient: row.recipient,
      value: BigInt(row.value),
    })),
    balances: new Map(holders.map((row) => [row.address, BigInt(row.balance)])),
    checkpoints: new Map(
      checkpoints.map((row) => [
        Number(row.level),
        { holders: Number(row.holders), transfers: Number(row.transfers) },
      ]),
    ),
    alerts: alerts.map((row) => row.transfer_id),
    topHolders,
    reorgs: reorgs.map((row) => ({ fromLevel: Number(row.from_level), toLevel: Number(row.to_level) })),
    status: status[0] === undefined ? undefined : { state: status[0].state, beats: Number(status[0].beats) },
    level: index[0] === undefined ? undefined : Number(index[0].level),
  };
}
