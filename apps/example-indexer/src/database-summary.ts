import { createDataSource, type HookdexConfig } from '@hookdex/core';
import { fromUint256 } from './models/uint256-column.js';

/** What the run left in the database, for the closing summary. */
export interface DatabaseSummary {
  transfers: number;
  holders: number;
  checkpoints: number;
  alerts: number;
  reorgsLogged: number;
  /** The `major` ranking of `calculate_stats`, best first. */
  topHolders: Array<{ rank: number; address: string; balance: bigint }>;
  /** The status reporter's last word: `stopped` after a clean stop. */
  statusReporter: string | undefined;
}

/** Reads the summary with a connection of its own (the app's is closed by then). */
export async function readDatabaseSummary(config: HookdexConfig): Promise<DatabaseSummary> {
  const dataSource = createDataSource({ database: config.database, projectDir: config.projectDir });
  await dataSource.initialize();
  try {
    const count = async (table: string): Promise<number> => {
      const rows: Array<{ count: number | string }> = await dataSource.query(
        `SELECT COUNT(*) AS count FROM ${table}`,
      );
      return Number(rows[0]?.count ?? 0);
    };
    const top: Array<{ rank: number | string; address: string; balance: string }> = await dataSource.query(
      "SELECT rank, address, balance FROM top_holder WHERE scope = 'major' ORDER BY rank",
    );
    const status: Array<{ state: string }> = await dataSource.query(
      "SELECT state FROM indexer_status WHERE id = 'default'",
    );
    return {
      transfers: await count('transfer'),
      holders: await count('holder'),
      checkpoints: await count('checkpoint'),
      alerts: await count('alert'),
      reorgsLogged: await count('reorg_log'),
      topHolders: top.map((row) => ({
        rank: Number(row.rank),
        address: row.address,
        balance: fromUint256(row.balance),
      })),
      statusReporter: status[0]?.state,
    };
  } finally {
    await dataSource.destroy();
  }
}
