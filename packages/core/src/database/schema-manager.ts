import { inject, injectable } from 'tsyringe';
import type { DataSource } from 'typeorm';
import { INTERNAL_TABLE_PREFIX } from '../config/config-names.js';
import type { HookdexConfig } from '../config/config-types.js';
import { CONFIG, DATA_SOURCE } from '../di/tokens.js';
import type { ReindexingReason } from '../errors/errors.js';
import { hashIndexConfig } from '../runtime/hash-index-config.js';
import { quoteIdentifier } from './create-data-source.js';

const SCHEMA_TABLE = 'hookdex_schema';
const RECORD_NAME = 'default';
// NOTE: the runtime's index state table (see `IndexStateStore`).
const INDEX_TABLE = 'hookdex_index';

/** The schema record: its presence means the database was initialised (`on_reindex` ran). */
export interface SchemaRecord {
  hash: string;
  /** A pending reindex: every start stops until it is approved or the database is wiped. */
  reindex: ReindexingReason | null;
  createdAt: string;
  updatedAt: string;
}

/** A table or view of the project's schema. */
export interface SchemaObject {
  name: string;
  kind: 'table' | 'view' | 'materialized view';
}

/** The database's life cycle: internal tables, the schema record, wiping and approving. */
@injectable()
export class SchemaManager {
  constructor(
    @inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @inject(CONFIG) private readonly config: HookdexConfig,
  ) {}

  private get postgres(): boolean {
    return this.config.database.kind === 'postgres';
  }

  /** Connects, creates the PostgreSQL schema if needed, and creates hookdex's own tables. */
  async prepare(): Promise<void> {
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    if (this.config.database.kind === 'postgres') {
      await this.dataSource.query(
        `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.config.database.schema)}`,
      );
    }
    await this.dataSource.query(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (name VARCHAR(255) PRIMARY KEY, hash VARCHAR(64) NOT NULL, ` +
        'reindex VARCHAR(32), created_at VARCHAR(32) NOT NULL, updated_at VARCHAR(32) NOT NULL)',
    );
  }

  /** Creates the tables of the project's models (on a new or wiped database). */
  async createProjectTables(): Promise<void> {
    await this.dataSource.synchronize();
  }

  async getRecord(): Promise<SchemaRecord | undefined> {
    const rows: Array<Record<string, string | null>> = await this.dataSource.query(
      `SELECT hash, reindex, created_at, updated_at FROM ${SCHEMA_TABLE} WHERE name = ${this.parameter(1)}`,
      [RECORD_NAME],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      hash: row.hash ?? '',
      reindex: (row.reindex ?? null) as ReindexingReason | null,
      createdAt: row.created_at ?? '',
      updatedAt: row.updated_at ?? '',
    };
  }

  /** Writes the record after `on_reindex` succeeded. */
  async writeRecord(hash: string): Promise<void> {
    const now = new Date().toISOString();
    await this.dataSource.query(`DELETE FROM ${SCHEMA_TABLE} WHERE name = ${this.parameter(1)}`, [
      RECORD_NAME,
    ]);
    await this.dataSource.query(
      `INSERT INTO ${SCHEMA_TABLE} (name, hash, reindex, created_at, updated_at) VALUES (${this.parameter(1)}, ${this.parameter(2)}, NULL, ${this.parameter(3)}, ${this.parameter(4)})`,
      [RECORD_NAME, hash, now, now],
    );
  }

  /** Records a pending reindex, so every later start stops too until approved or wiped. */
  async recordReindex(reason: ReindexingReason): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${SCHEMA_TABLE} SET reindex = ${this.parameter(1)}, updated_at = ${this.parameter(2)} WHERE name = ${this.parameter(3)}`,
      [reason, new Date().toISOString(), RECORD_NAME],
    );
  }

  /**
   * `schema approve`: clears a pending reindex and adopts the current model hash and the current
   * configuration of every configured index (as DipDup's approve does), keeping the data.
   */
  async approve(hash: string): Promise<{ indexes: string[] }> {
    await this.dataSource.query(
      `UPDATE ${SCHEMA_TABLE} SET reindex = NULL, hash = ${this.parameter(1)}, updated_at = ${this.parameter(2)} WHERE name = ${this.parameter(3)}`,
      [hash, new Date().toISOString(), RECORD_NAME],
    );
    const adopted: string[] = [];
    if (!(await this.listObjects()).some((object) => object.name === INDEX_TABLE))
      return { indexes: adopted };
    const rows: Array<{ name: string; config_hash: string }> = await this.dataSource.query(
      `SELECT name, config_hash FROM ${INDEX_TABLE}`,
    );
    for (const row of rows) {
      const index = this.config.indexes[row.name];
      if (index === undefined) continue;
      const configHash = hashIndexConfig(index);
      if (configHash === row.config_hash) continue;
      await this.dataSource.query(
        `UPDATE ${INDEX_TABLE} SET config_hash = ${this.parameter(1)} WHERE name = ${this.parameter(2)}`,
        [configHash, row.name],
      );
      adopted.push(row.name);
    }
    return { indexes: adopted };
  }

  /** Tables and views of the project's schema, hookdex's own included. */
  async listObjects(): Promise<SchemaObject[]> {
    if (this.config.database.kind === 'postgres') {
      const schema = this.config.database.schema;
      const rows: Array<{ name: string; type: string }> = await this.dataSource.query(
        `SELECT table_name AS name, table_type AS type FROM information_schema.tables WHERE table_schema = $1
         UNION ALL SELECT matviewname AS name, 'MATERIALIZED VIEW' AS type FROM pg_matviews WHERE schemaname = $1`,
        [schema],
      );
      return rows.map((row) => ({
        name: row.name,
        kind: row.type === 'VIEW' ? 'view' : row.type === 'MATERIALIZED VIEW' ? 'materialized view' : 'table',
      }));
    }
    const rows: Array<{ name: string; type: string }> = await this.dataSource.query(
      "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'",
    );
    return rows.map((row) => ({ name: row.name, kind: row.type === 'view' ? 'view' : 'table' }));
  }

  /**
   * Drops every table and view of the project except the immune tables (unless `immune` is true)
   * and hookdex's own, whose state is reset: the schema record goes, so `on_reindex` fires at the
   * next start. Returns what was dropped.
   */
  async wipe(options: { immune: boolean }): Promise<string[]> {
    const immune = new Set(options.immune ? [] : this.config.database.immuneTables);
    const all = await this.listObjects();
    const internal = all.filter(
      (object) => object.kind === 'table' && object.name.startsWith(INTERNAL_TABLE_PREFIX),
    );
    const objects = all.filter(
      (object) => !immune.has(object.name) && !object.name.startsWith(INTERNAL_TABLE_PREFIX),
    );
    const order = { view: 0, 'materialized view': 1, table: 2 } as const;
    objects.sort((a, b) => order[a.kind] - order[b.kind]);
    const queryRunner = this.dataSource.createQueryRunner();
    try {
      await queryRunner.connect();
      if (!this.postgres) await queryRunner.query('PRAGMA foreign_keys = OFF');
      for (const object of objects) {
        const keyword =
          object.kind === 'view'
            ? 'VIEW'
            : object.kind === 'materialized view'
              ? 'MATERIALIZED VIEW'
              : 'TABLE';
        await queryRunner.query(
          `DROP ${keyword} IF EXISTS ${quoteIdentifier(object.name)}${this.postgres ? ' CASCADE' : ''}`,
        );
      }
      if (!this.postgres) await queryRunner.query('PRAGMA foreign_keys = ON');
      // hookdex's own state goes too: the schema record (so on_reindex fires), index levels, journal.
      for (const object of internal) await queryRunner.query(`DELETE FROM ${quoteIdentifier(object.name)}`);
    } finally {
      await queryRunner.release();
    }
    return objects.map((object) => object.name);
  }

  private parameter(index: number): string {
    return this.postgres ? `$${index}` : '?';
  }
}
