import type { QueryRunner } from 'typeorm';
import type { EntryReverter, JournalBackend } from './journal-backend.js';
import {
  INDEX_SETTING,
  JOURNAL_INDEX,
  JOURNAL_TABLE,
  JOURNAL_TRIGGER,
  JOURNAL_TRUNCATE_TRIGGER,
  LEVEL_SETTING,
} from './journal-names.js';
import {
  TRUNCATE_FUNCTION,
  truncateFunction,
  WRITE_FUNCTION,
  writeFunction,
} from './postgres-journal-functions.js';
import { PostgresReverter } from './postgres-journal-reverter.js';
import { quoteIdentifier, quoteLiteral } from './sql-text.js';

/**
 * PostgreSQL: journaling is switched on by two transaction-local settings, so a rollback (of the
 * transaction or of a savepoint) switches it off with everything else. One plpgsql function serves
 * every table through `AFTER ... FOR EACH ROW` triggers; its arguments are the table's primary key
 * columns, then `''`, then its json and jsonb columns. Rows are stored with `row_to_json` (type
 * `json`, not `jsonb`: `json` keeps the text of `json` columns, key order and whitespace included)
 * and restored with `json_populate_record`, which reads every value back through its type's own
 * input function: exact for numerics of any size and scale, timestamps to the microsecond, bytea,
 * enums, arrays, ranges and JSON. The one value JSON cannot tell apart, a json or jsonb column
 * holding JSON `null` rather than SQL NULL, is listed in `json_nulls`.
 */
export class PostgresJournalBackend implements JournalBackend {
  readonly journalTable: string;
  readonly inIdOrder: string;
  /** The schema, quoted. */
  private readonly schema: string;

  constructor(private readonly schemaName: string) {
    this.schema = quoteIdentifier(schemaName);
    this.journalTable = `${this.schema}.${quoteIdentifier(JOURNAL_TABLE)}`;
    this.inIdOrder = this.journalTable;
  }

  parameter(position: number): string {
    return `$${position}`;
  }

  textOf(column: string): string {
    return `${column}::text`;
  }

  readonly jsonNulls = 'json_nulls';

  valuesOf(column: string): string {
    // NOTE: each value as its JSON text, so numbers keep every digit when the caller parses it.
    return `(SELECT json_object_agg(key, value) FROM json_each_text(${column}))::text`;
  }

  async prepare(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS ${this.journalTable} (id bigserial PRIMARY KEY, index_name text NOT NULL, ` +
        'level bigint NOT NULL, table_name text NOT NULL, action text NOT NULL, primary_key json NOT NULL, old_values json, ' +
        'json_nulls text[])',
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(JOURNAL_INDEX)} ON ${this.journalTable} (index_name, level)`,
    );
    await queryRunner.query(writeFunction(this.schema));
    await queryRunner.query(truncateFunction(this.schema));
  }

  async listTables(queryRunner: QueryRunner): Promise<string[]> {
    // NOTE: partitions are left out: the trigger on a partitioned table is cloned onto them.
    const rows: Array<{ name: string }> = await queryRunner.query(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`,
      [this.schemaName],
    );
    return rows.map((row) => row.name);
  }

  async install(queryRunner: QueryRunner, tables: readonly string[]): Promise<void> {
    await this.uninstall(queryRunner);
    const keys = await this.primaryKeys(queryRunner);
    const jsonColumns = await this.jsonColumns(queryRunner);
    for (const table of tables) {
      const target = this.qualified(table);
      const json = jsonColumns.get(table) ?? [];
      const columns = [...(keys.get(table) ?? []), ...(json.length > 0 ? ['', ...json] : [])]
        .map(quoteLiteral)
        .join(', ');
      await queryRunner.query(
        `CREATE TRIGGER ${quoteIdentifier(JOURNAL_TRIGGER)} AFTER INSERT OR UPDATE OR DELETE ON ${target} ` +
          `FOR EACH ROW EXECUTE FUNCTION ${this.schema}.${quoteIdentifier(WRITE_FUNCTION)}(${columns})`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${quoteIdentifier(JOURNAL_TRUNCATE_TRIGGER)} BEFORE TRUNCATE ON ${target} ` +
          `FOR EACH STATEMENT EXECUTE FUNCTION ${this.schema}.${quoteIdentifier(TRUNCATE_FUNCTION)}()`,
      );
    }
  }

  async uninstall(queryRunner: QueryRunner): Promise<void> {
    const rows: Array<{ table: string; trigger: string }> = await queryRunner.query(
      `SELECT c.relname AS table, t.tgname AS trigger FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND t.tgname IN ($2, $3) AND NOT c.relispartition`,
      [this.schemaName, JOURNAL_TRIGGER, JOURNAL_TRUNCATE_TRIGGER],
    );
    for (const row of rows) {
      await queryRunner.query(
        `DROP TRIGGER IF EXISTS ${quoteIdentifier(row.trigger)} ON ${this.qualified(row.table)}`,
      );
    }
  }

  async begin(queryRunner: QueryRunner, index: string, level: number): Promise<void> {
    await this.setContext(queryRunner, index, String(level));
  }

  async end(queryRunner: QueryRunner): Promise<void> {
    await this.setContext(queryRunner, '', '');
  }

  async suspend(queryRunner: QueryRunner): Promise<() => Promise<void>> {
    const rows: Array<{ index: string | null; level: string | null }> = await queryRunner.query(
      'SELECT current_setting($1, true) AS index, current_setting($2, true) AS level',
      [INDEX_SETTING, LEVEL_SETTING],
    );
    const index = rows[0]?.index ?? '';
    const level = rows[0]?.level ?? '';
    await this.setContext(queryRunner, '', '');
    return () => this.setContext(queryRunner, index, level);
  }

  reverter(queryRunner: QueryRunner, tables: readonly string[]): EntryReverter {
    return new PostgresReverter(queryRunner, this.schemaName, tables);
  }

  private async setContext(queryRunner: QueryRunner, index: string, level: string): Promise<void> {
    await queryRunner.query('SELECT set_config($1, $2, true), set_config($3, $4, true)', [
      INDEX_SETTING,
      index,
      LEVEL_SETTING,
      level,
    ]);
  }

  /** Primary key columns of every table of the schema, in key order. */
  private async primaryKeys(queryRunner: QueryRunner): Promise<Map<string, string[]>> {
    const rows: Array<{ table: string; column: string }> = await queryRunner.query(
      `SELECT c.relname AS table, a.attname AS column FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey)
       WHERE n.nspname = $1 AND i.indisprimary
       ORDER BY c.relname, array_position(i.indkey::int2[], a.attnum)`,
      [this.schemaName],
    );
    const keys = new Map<string, string[]>();
    for (const row of rows) keys.set(row.table, [...(keys.get(row.table) ?? []), row.column]);
    return keys;
  }

  /** json and jsonb columns (domains over them included) of every table of the schema. */
  private async jsonColumns(queryRunner: QueryRunner): Promise<Map<string, string[]>> {
    const rows: Array<{ table: string; column: string }> = await queryRunner.query(
      `SELECT c.relname AS table, a.attname AS column FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       WHERE n.nspname = $1 AND a.attnum > 0 AND NOT a.attisdropped
         AND (CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END) IN ('json'::regtype, 'jsonb'::regtype)
       ORDER BY c.relname, a.attnum`,
      [this.schemaName],
    );
    const columns = new Map<string, string[]>();
    for (const row of rows) columns.set(row.table, [...(columns.get(row.table) ?? []), row.column]);
    return columns;
  }

  private qualified(table: string): string {
    return `${this.schema}.${quoteIdentifier(table)}`;
  }
}
