import type { QueryRunner } from 'typeorm';

/** What hookdex remembers about an index between runs. */
export interface IndexState {
  readonly name: string;
  /** The last level whose changes are committed (`first_level - 1` before the first). */
  readonly level: number;
  /** That level's hash, when known. */
  readonly hash: string | null;
  readonly status: IndexStatus;
  /** Hash of the index's configuration; a change is a reindex with reason `config_modified`. */
  readonly configHash: string;
}

export type IndexStatus = 'syncing' | 'realtime' | 'done';

const INDEX_TABLE = 'hookdex_index';
const LEVEL_TABLE = 'hookdex_level_hash';

/**
 * The index state table (level, hash, status, config hash) and the hashes of the levels with data
 * inside the rollback window, which let a restart find where the stored chain and the node's part.
 * Every method runs on the given connection, so it commits with the level it belongs to.
 */
export class IndexStateStore {
  constructor(private readonly dialect: 'sqlite' | 'postgres') {}

  async prepare(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS ${INDEX_TABLE} (name VARCHAR(255) PRIMARY KEY, level BIGINT NOT NULL, ` +
        'hash VARCHAR(255), status VARCHAR(16) NOT NULL, config_hash VARCHAR(64) NOT NULL, updated_at VARCHAR(32) NOT NULL)',
    );
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS ${LEVEL_TABLE} (index_name VARCHAR(255) NOT NULL, level BIGINT NOT NULL, ` +
        'hash VARCHAR(255) NOT NULL, PRIMARY KEY (index_name, level))',
    );
  }

  async get(queryRunner: QueryRunner, name: string): Promise<IndexState | undefined> {
    const rows: Array<Record<string, unknown>> = await queryRunner.query(
      `SELECT name, level, hash, status, config_hash FROM ${INDEX_TABLE} WHERE name = ${this.p(1)}`,
      [name],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      name,
      level: Number(row.level),
      hash: (row.hash as string | null) ?? null,
      status: row.status as IndexStatus,
      configHash: String(row.config_hash),
    };
  }

  async put(queryRunner: QueryRunner, state: IndexState): Promise<void> {
    const now = new Date().toISOString();
    await queryRunner.query(
      `INSERT INTO ${INDEX_TABLE} (name, level, hash, status, config_hash, updated_at) VALUES (${this.p(1)}, ${this.p(2)}, ${this.p(3)}, ${this.p(4)}, ${this.p(5)}, ${this.p(6)}) ` +
        'ON CONFLICT (name) DO UPDATE SET level = excluded.level, hash = excluded.hash, status = excluded.status, ' +
        'config_hash = excluded.config_hash, updated_at = excluded.updated_at',
      [state.name, state.level, state.hash, state.status, state.configHash, now],
    );
  }

  async putLevelHash(queryRunner: QueryRunner, index: string, level: number, hash: string): Promise<void> {
    await queryRunner.query(
      `INSERT INTO ${LEVEL_TABLE} (index_name, level, hash) VALUES (${this.p(1)}, ${this.p(2)}, ${this.p(3)}) ` +
        'ON CONFLICT (index_name, level) DO UPDATE SET hash = excluded.hash',
      [index, level, hash],
    );
  }

  /** Stored level hashes of an index at or below `level`, newest first. */
  async levelHashes(
    queryRunner: QueryRunner,
    index: string,
    level: number,
  ): Promise<Array<{ level: number; hash: string }>> {
    const rows: Array<{ level: number | string; hash: string }> = await queryRunner.query(
      `SELECT level, hash FROM ${LEVEL_TABLE} WHERE index_name = ${this.p(1)} AND level <= ${this.p(2)} ORDER BY level DESC`,
      [index, level],
    );
    return rows.map((row) => ({ level: Number(row.level), hash: row.hash }));
  }

  /** Forgets level hashes above `level` (after a rollback). */
  async deleteLevelHashesAbove(queryRunner: QueryRunner, index: string, level: number): Promise<void> {
    await queryRunner.query(
      `DELETE FROM ${LEVEL_TABLE} WHERE index_name = ${this.p(1)} AND level > ${this.p(2)}`,
      [index, level],
    );
  }

  /** Prunes level hashes at or below `level`. */
  async pruneLevelHashes(queryRunner: QueryRunner, index: string, level: number): Promise<void> {
    await queryRunner.query(
      `DELETE FROM ${LEVEL_TABLE} WHERE index_name = ${this.p(1)} AND level <= ${this.p(2)}`,
      [index, level],
    );
  }

  private p(index: number): string {
    return this.dialect === 'postgres' ? `$${index}` : '?';
  }
}
