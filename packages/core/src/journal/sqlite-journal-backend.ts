import type { QueryRunner } from 'typeorm';
import type { EntryReverter, JournalBackend } from './journal-backend.js';
import {
  JOURNAL_CONTEXT_TABLE,
  JOURNAL_INDEX,
  JOURNAL_TABLE,
  SQLITE_TRIGGER_PREFIX,
} from './journal-names.js';
import { quoteIdentifier } from './sql-text.js';
import { SqliteReverter } from './sqlite-journal-reverter.js';
import { sqliteTriggers } from './sqlite-journal-triggers.js';
import { readSqliteTableShape } from './sqlite-table-shape.js';

const CONTEXT = quoteIdentifier(JOURNAL_CONTEXT_TABLE);

/**
 * SQLite: there are no session variables, and triggers of main tables cannot read TEMP tables, so
 * journaling is switched on by a row of a regular one-row table, written inside the level
 * transaction: a rollback (or a crash) removes it with everything else. SQLite has one connection
 * and hookdex serialises its transactions, so the row is only ever seen by the level that wrote it.
 * The triggers are generated per table from its columns, so `install` must run after every schema
 * change (a table rebuilt by TypeORM loses its triggers).
 */
export class SqliteJournalBackend implements JournalBackend {
  readonly journalTable = quoteIdentifier(JOURNAL_TABLE);
  // NOTE: an index on the journal (one a user made) would have SQLite read and sort every row to
  // revert for each page of a revert; walking the rowids from the last page's id reads that page.
  readonly inIdOrder = `${this.journalTable} NOT INDEXED`;
  // NOTE: quote() tells every value apart, JSON text included.
  readonly jsonNulls = 'NULL';

  parameter(): string {
    return '?';
  }

  textOf(column: string): string {
    return column;
  }

  valuesOf(column: string): string {
    return column;
  }

  async prepare(queryRunner: QueryRunner): Promise<void> {
    // NOTE: INTEGER PRIMARY KEY hands out max(id) + 1, so ids grow with time among the rows kept;
    // AUTOINCREMENT would only add a sqlite_sequence write per row.
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS ${this.journalTable} (id INTEGER PRIMARY KEY, index_name TEXT NOT NULL, ` +
        'level INTEGER NOT NULL, table_name TEXT NOT NULL, action TEXT NOT NULL, primary_key TEXT NOT NULL, old_values TEXT)',
    );
    // NOTE: no index on (index_name, level): every level would write one more page per commit and
    // make the WAL checkpoint more often, which cost as much as the triggers. The journal is read
    // in rowid order, rows of an index in level order, and a revert or prune reads each row once.
    await queryRunner.query(`DROP INDEX IF EXISTS ${quoteIdentifier(JOURNAL_INDEX)}`);
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS ${CONTEXT} (id INTEGER PRIMARY KEY CHECK (id = 1), index_name TEXT NOT NULL, level INTEGER NOT NULL)`,
    );
    // NOTE: a context row can only survive if a transaction committed between `begin` and `end`;
    // it would journal every later write, so a start clears it.
    await queryRunner.query(`DELETE FROM ${CONTEXT}`);
  }

  async listTables(queryRunner: QueryRunner): Promise<string[]> {
    const rows: Array<{ name: string }> = await queryRunner.query(
      "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    );
    return rows.map((row) => row.name);
  }

  async install(queryRunner: QueryRunner, tables: readonly string[]): Promise<void> {
    await this.uninstall(queryRunner);
    for (const table of tables) {
      const shape = await readSqliteTableShape(queryRunner, table);
      if (shape === undefined) continue;
      for (const statement of sqliteTriggers(shape)) await queryRunner.query(statement);
    }
  }

  async uninstall(queryRunner: QueryRunner): Promise<void> {
    const rows: Array<{ name: string }> = await queryRunner.query(
      "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND substr(name, 1, ?) = ?",
      [SQLITE_TRIGGER_PREFIX.length, SQLITE_TRIGGER_PREFIX],
    );
    for (const row of rows) await queryRunner.query(`DROP TRIGGER IF EXISTS ${quoteIdentifier(row.name)}`);
  }

  async begin(queryRunner: QueryRunner, index: string, level: number): Promise<void> {
    await queryRunner.query(`INSERT OR REPLACE INTO ${CONTEXT} (id, index_name, level) VALUES (1, ?, ?)`, [
      index,
      level,
    ]);
  }

  async end(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM ${CONTEXT}`);
  }

  async suspend(queryRunner: QueryRunner): Promise<() => Promise<void>> {
    const rows: Array<{ index_name: string; level: number }> = await queryRunner.query(
      `SELECT index_name, level FROM ${CONTEXT}`,
    );
    await this.end(queryRunner);
    const context = rows[0];
    return async () => {
      if (context !== undefined) await this.begin(queryRunner, context.index_name, context.level);
    };
  }

  reverter(queryRunner: QueryRunner): EntryReverter {
    return new SqliteReverter(queryRunner);
  }
}
