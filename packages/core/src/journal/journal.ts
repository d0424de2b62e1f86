import type { DataSource, QueryRunner } from 'typeorm';
import { INTERNAL_TABLE_PREFIX } from '../config/config-names.js';
import { HookdexError } from '../errors/hookdex-error.js';
import type { EntryReverter, JournalAction, JournalBackend, StoredEntry } from './journal-backend.js';
import { affectedRows, parseObject, RevertFailure } from './journal-backend.js';
import { PostgresJournalBackend } from './postgres-journal-backend.js';
import { SqliteJournalBackend } from './sqlite-journal-backend.js';

export type { JournalAction } from './journal-backend.js';

export interface JournalOptions {
  dialect: 'sqlite' | 'postgres';
  /** The PostgreSQL schema of the project's tables; default `public`. Ignored on SQLite. */
  schema?: string;
  /** Tables that are never journaled (names compared case-sensitively, as stored). */
  immuneTables: readonly string[];
}

/** One journal row, for tests and debugging. */
export interface JournalEntry {
  id: number;
  level: number;
  table: string;
  action: JournalAction;
  /**
   * The row's primary key after the change (before it, for a delete); a table without a primary
   * key is keyed by its rowid (SQLite) or by the whole row (PostgreSQL). Values as in `oldValues`.
   */
  primaryKey: Record<string, string | null>;
  /**
   * Every column before the change (null for an insert). SQLite: each value's SQL literal as
   * `quote()` writes it (`'text'`, `12`, `X'00FF'`, `NULL`), and the `rowid` of a table without a
   * primary key. PostgreSQL: each value's JSON text from
   * `row_to_json` (strings unquoted, numbers with every digit, SQL NULL as `null`, JSON `null` in a
   * json or jsonb column as `'null'`).
   */
  oldValues: Record<string, string | null> | null;
}

// NOTE: a revert reads the journal in pages, newest first, so a deep rollback does not hold every
// old row in memory at once.
const PAGE_SIZE = 500;

/**
 * Records every write to the project's tables made inside a level transaction, whatever made it
 * (entity manager, query builder, raw SQL, SQL scripts, hooks on the same connection), with
 * database triggers, and reverts those writes newest first. Internal `hookdex_*` tables and immune
 * tables are never journaled. See `PostgresJournalBackend` and `SqliteJournalBackend` for how each
 * dialect switches journaling on for one transaction only.
 */
export class Journal {
  private readonly backend: JournalBackend;
  private readonly immune: ReadonlySet<string>;

  constructor(
    private readonly dataSource: DataSource,
    options: JournalOptions,
  ) {
    this.backend =
      options.dialect === 'postgres'
        ? new PostgresJournalBackend(options.schema ?? 'public')
        : new SqliteJournalBackend();
    this.immune = new Set(options.immuneTables);
  }

  /** Creates the internal tables (hookdex_journal, and for SQLite hookdex_journal_context) if missing. */
  async prepare(): Promise<void> {
    await this.withTransaction('prepare the journal', (queryRunner) => this.backend.prepare(queryRunner));
  }

  /**
   * (Re)installs the triggers on every project table (not internal hookdex_* tables, not immune
   * tables), dropping hookdex triggers of tables that no longer qualify. Idempotent; call at every
   * start and after schema changes. Returns the tables journaled.
   */
  async install(): Promise<string[]> {
    return this.withTransaction('install the journal triggers', async (queryRunner) => {
      await this.backend.prepare(queryRunner);
      const tables = (await this.backend.listTables(queryRunner)).filter((table) => this.journaled(table));
      await this.backend.install(queryRunner, tables);
      return tables;
    });
  }

  /** Removes every hookdex trigger (e.g. before a wipe). */
  async uninstall(): Promise<void> {
    await this.withTransaction('uninstall the journal triggers', (queryRunner) =>
      this.backend.uninstall(queryRunner),
    );
  }

  /** Whether writes to `table` are journaled (once `install` ran). */
  journaled(table: string): boolean {
    return !table.startsWith(INTERNAL_TABLE_PREFIX) && !this.immune.has(table);
  }

  /**
   * Inside an open transaction on `queryRunner`: from now until `end`, writes are journaled under
   * (index, level). Transaction-local: a rollback undoes it.
   */
  async begin(queryRunner: QueryRunner, index: string, level: number): Promise<void> {
    requireTransaction(queryRunner, 'begin');
    if (!Number.isSafeInteger(level)) {
      throw new HookdexError(
        'DATABASE',
        `Journal levels are safe integers; found ${level} for index ${index}.`,
      );
    }
    await this.backend.begin(queryRunner, index, level);
  }

  /** Inside the same transaction, before commit: stop journaling. */
  async end(queryRunner: QueryRunner): Promise<void> {
    requireTransaction(queryRunner, 'end');
    await this.backend.end(queryRunner);
  }

  /**
   * Inside an open transaction: reverts every journaled change of `index` with level > toLevel,
   * newest first, and deletes those journal rows. Returns the number of changes reverted. Writes it
   * makes are not journaled (journaling is suspended meanwhile and then switched back as it was).
   */
  async revert(queryRunner: QueryRunner, index: string, toLevel: number): Promise<number> {
    requireTransaction(queryRunner, 'revert');
    const p = (position: number) => this.backend.parameter(position);
    const tables: Array<{ table_name: string }> = await queryRunner.query(
      `SELECT DISTINCT table_name FROM ${this.backend.journalTable} WHERE index_name = ${p(1)} AND level > ${p(2)}`,
      [index, toLevel],
    );
    if (tables.length === 0) return 0;
    const tableNames = tables.map((row) => row.table_name);
    const reverter = this.backend.reverter(queryRunner, tableNames);
    const redundant = await this.redundantEntries(queryRunner, {
      index,
      toLevel,
      reverter,
      tables: tableNames,
    });
    const resume = await this.backend.suspend(queryRunner);
    let reverted = 0;
    let before = Number.POSITIVE_INFINITY;
    for (;;) {
      const rows: Array<Record<string, unknown>> = await queryRunner.query(
        `SELECT id, level, table_name, action, ${this.backend.textOf('primary_key')} AS primary_key, ` +
          `${this.backend.textOf('old_values')} AS old_values, ${this.backend.jsonNulls} AS json_nulls ` +
          `FROM ${this.backend.inIdOrder} ` +
          `WHERE index_name = ${p(1)} AND level > ${p(2)}${Number.isFinite(before) ? ` AND id < ${p(3)}` : ''} ` +
          `ORDER BY id DESC LIMIT ${PAGE_SIZE}`,
        Number.isFinite(before) ? [index, toLevel, before] : [index, toLevel],
      );
      for (const row of rows) {
        const current = storedEntry(row);
        before = current.id;
        if (redundant.has(current.id)) continue;
        try {
          await reverter.revert(current);
        } catch (caught) {
          // A batched reverter reports the row that failed, which may be an earlier one.
          const entry = caught instanceof RevertFailure ? caught.entry : current;
          const error = caught instanceof RevertFailure ? caught.cause : caught;
          throw new HookdexError(
            'DATABASE',
            `Could not revert journal row ${entry.id} of index ${index}: the ${entry.action} of table ` +
              `${entry.table} at level ${entry.level} (key ${entry.primaryKey}). Roll the transaction back; ` +
              `if the table was changed outside hookdex, reindex. Cause: ${
                error instanceof Error ? error.message : String(error)
              }`,
            { cause: error },
          );
        }
        reverted++;
      }
      if (rows.length < PAGE_SIZE) break;
    }
    try {
      await reverter.finish();
    } catch (caught) {
      if (caught instanceof RevertFailure) {
        const entry = caught.entry;
        throw new HookdexError(
          'DATABASE',
          `Could not revert journal row ${entry.id} of index ${index}: the ${entry.action} of table ` +
            `${entry.table} at level ${entry.level} (key ${entry.primaryKey}). Roll the transaction back; ` +
            `if the table was changed outside hookdex, reindex. Cause: ${caught.message}`,
          { cause: caught.cause },
        );
      }
      const error = caught;
      throw new HookdexError(
        'DATABASE',
        `The rows reverted for index ${index} down to level ${toLevel} violate a foreign key. Roll the ` +
          `transaction back; if the tables were changed outside hookdex, reindex. Cause: ${
            error instanceof Error ? error.message : String(error)
          }`,
        { cause: error },
      );
    }
    await queryRunner.query(
      `DELETE FROM ${this.backend.journalTable} WHERE index_name = ${p(1)} AND level > ${p(2)}`,
      [index, toLevel],
    );
    await resume();
    return reverted;
  }

  /**
   * Ids of journal rows of `index` above `toLevel` that a revert can skip. On a table whose reverter
   * says it is collapsible, the oldest row touching a key restores that key whatever the newer ones
   * did, so only rows that are the oldest for one of their keys are reverted (an update that changed
   * the key touches both keys). This skips most rows of a typical rollback: upserts journal twice,
   * and a key written at many levels needs one statement.
   */
  private async redundantEntries(
    queryRunner: QueryRunner,
    options: { index: string; toLevel: number; reverter: EntryReverter; tables: readonly string[] },
  ): Promise<Set<number>> {
    const redundant = new Set<number>();
    const collapsible = new Set<string>();
    for (const table of options.tables) {
      if ((await options.reverter.collapsible?.(table)) === true) collapsible.add(table);
    }
    if (collapsible.size === 0) return redundant;
    const p = (position: number) => this.backend.parameter(position);
    const rows: Array<{
      id: number | string;
      table_name: string;
      action: string;
      primary_key: string;
      old_values: string | null;
    }> = await queryRunner.query(
      `SELECT id, table_name, action, ${this.backend.textOf('primary_key')} AS primary_key, ` +
        `CASE WHEN action = 'UPDATE' THEN ${this.backend.textOf('old_values')} END AS old_values ` +
        `FROM ${this.backend.inIdOrder} WHERE index_name = ${p(1)} AND level > ${p(2)} ORDER BY id ASC`,
      [options.index, options.toLevel],
    );
    const seen = new Set<string>();
    for (const row of rows) {
      if (!collapsible.has(row.table_name)) continue;
      let oldest = false;
      for (const key of touchedKeys(row.primary_key, row.old_values)) {
        const tableKey = `${row.table_name}\u0000${key}`;
        if (seen.has(tableKey)) continue;
        seen.add(tableKey);
        oldest = true;
      }
      if (!oldest) redundant.add(Number(row.id));
    }
    return redundant;
  }

  /** Deletes journal rows of `index` with level <= level (pruning, per index). Returns rows deleted. */
  async prune(queryRunner: QueryRunner, index: string, level: number): Promise<number> {
    const p = (position: number) => this.backend.parameter(position);
    // NOTE: an index journals its levels in order (a revert deletes the rows above the level it
    // goes back to), so its rows to prune come before its first row above `level`; bounding the id
    // lets SQLite, which keeps no index on the journal, stop there. Rows journaled out of order
    // (an `on_index_rollback` that did not revert) are pruned by a later call.
    const result = await queryRunner.query(
      `DELETE FROM ${this.backend.journalTable} WHERE index_name = ${p(1)} AND level <= ${p(2)} AND id < coalesce(` +
        `(SELECT id FROM ${this.backend.inIdOrder} WHERE index_name = ${p(3)} AND level > ${p(4)} ORDER BY id LIMIT 1), ` +
        `${Number.MAX_SAFE_INTEGER})`,
      [index, level, index, level],
      true,
    );
    return affectedRows(result);
  }

  /** Deletes every journal row of every index (after a wipe, the journal describes nothing). */
  async clear(queryRunner?: QueryRunner): Promise<void> {
    const sql = `DELETE FROM ${this.backend.journalTable}`;
    await (queryRunner === undefined ? this.dataSource.query(sql) : queryRunner.query(sql));
  }

  /** Journal rows of an index, oldest first (for tests and debugging). */
  async entries(index: string): Promise<JournalEntry[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT id, level, table_name, action, ${this.backend.valuesOf('primary_key')} AS primary_key, ` +
        `${this.backend.valuesOf('old_values')} AS old_values, ${this.backend.jsonNulls} AS json_nulls ` +
        `FROM ${this.backend.journalTable} ` +
        `WHERE index_name = ${this.backend.parameter(1)} ORDER BY id`,
      [index],
    );
    return rows.map((row) => {
      const entry = storedEntry(row);
      let oldValues: Record<string, string | null> | null = null;
      if (entry.oldValues !== null) {
        oldValues = parseObject(entry.oldValues) as Record<string, string | null>;
        for (const column of entry.jsonNulls) oldValues[column] = 'null';
      }
      return {
        id: entry.id,
        level: entry.level,
        table: entry.table,
        action: entry.action,
        primaryKey: parseObject(entry.primaryKey) as Record<string, string | null>,
        oldValues,
      };
    });
  }

  private async withTransaction<T>(what: string, work: (queryRunner: QueryRunner) => Promise<T>): Promise<T> {
    const queryRunner = this.dataSource.createQueryRunner();
    try {
      await queryRunner.connect();
      await queryRunner.startTransaction();
      try {
        const result = await work(queryRunner);
        await queryRunner.commitTransaction();
        return result;
      } catch (error) {
        await queryRunner.rollbackTransaction().catch(() => {});
        throw error;
      }
    } catch (error) {
      if (HookdexError.is(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new HookdexError('DATABASE', `Could not ${what}: ${reason}`, { cause: error });
    } finally {
      await queryRunner.release();
    }
  }
}

/**
 * The keys a journal row touches: its stored key (the text as stored), and for an update that
 * changed the key also the key before it, from the old values (a rowid journaled before it was
 * kept among them is not). A key built here may spell a stored one differently (escapes); that
 * only reverts more rows than needed.
 */
function touchedKeys(primaryKey: string, oldValues: string | null): string[] {
  if (oldValues === null) return [primaryKey];
  const key = parseObject(primaryKey);
  const old = parseObject(oldValues);
  const columns = Object.keys(key);
  if (!columns.every((column) => Object.hasOwn(old, column))) return [primaryKey];
  if (columns.every((column) => old[column] === key[column])) return [primaryKey];
  return [primaryKey, JSON.stringify(Object.fromEntries(columns.map((column) => [column, old[column]])))];
}

function requireTransaction(queryRunner: QueryRunner, method: string): void {
  if (!queryRunner.isTransactionActive) {
    throw new HookdexError(
      'DATABASE',
      `Journal.${method}() needs an open transaction on its query runner, found none: start one first.`,
    );
  }
}

const ACTIONS: readonly string[] = ['INSERT', 'UPDATE', 'DELETE'];

function storedEntry(row: Record<string, unknown>): StoredEntry {
  const action = String(row.action);
  if (!ACTIONS.includes(action)) throw new HookdexError('DATABASE', `Unknown journal action ${action}.`);
  return {
    id: Number(row.id),
    level: Number(row.level),
    table: String(row.table_name),
    action: action as JournalAction,
    primaryKey: String(row.primary_key),
    oldValues: row.old_values === null || row.old_values === undefined ? null : String(row.old_values),
    jsonNulls: Array.isArray(row.json_nulls) ? row.json_nulls.map(String) : [],
  };
}
