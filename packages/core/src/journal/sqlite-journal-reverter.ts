import type { QueryRunner } from 'typeorm';
import {
  affectedRows,
  type EntryReverter,
  parseObject,
  RevertFailure,
  type StoredEntry,
} from './journal-backend.js';
import { quoteIdentifier } from './sql-text.js';
import { columnName } from './sqlite-journal-triggers.js';
import { readSqliteTableShape, type SqliteTableShape } from './sqlite-table-shape.js';

// NOTE: what quote() writes: NULL, an integer, a real (digits, optional fraction and exponent), a
// string with '' for every ', or a blob X'..'. Stored literals are checked before they become SQL.
const NUMBER_LITERAL = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;
const BLOB_LITERAL = /^X'[0-9A-F]*'$/i;

function isLiteral(value: string): boolean {
  if (value.startsWith("'")) {
    return value.length >= 2 && value.endsWith("'") && !value.slice(1, -1).replaceAll("''", '').includes("'");
  }
  return value === 'NULL' || NUMBER_LITERAL.test(value) || BLOB_LITERAL.test(value);
}

/**
 * Reverts SQLite journal rows by writing the stored literals back as SQL: an insert by deleting
 * the row, an update by setting every old value on the row found by its stored (new) key, a delete
 * by inserting the old row. As on PostgreSQL, an update whose row is gone and a delete whose row
 * came back end with the old row in place (`ON CONFLICT` on the declared primary key; on a table
 * without one, an update of the rowid's row and an insert if there is none).
 */
// NOTE: reverting one statement at a time through TypeORM cost more than writing the rows did
// (every statement has its own literals, so each is prepared anew). Statements of tables with a
// primary key are therefore collected and run this many at a time with better-sqlite3's exec().
const BATCH = 500;
const SAVEPOINT = 'hookdex_revert_batch';

/** The raw better-sqlite3 database behind TypeORM's query runner, when there is one. */
interface SqliteDatabase {
  exec(sql: string): unknown;
}

export class SqliteReverter implements EntryReverter {
  private readonly shapes = new Map<string, SqliteTableShape>();
  private readonly collapsibleTables = new Map<string, boolean>();
  private readonly pending: Array<{ sql: string; entry: StoredEntry }> = [];

  constructor(private readonly queryRunner: QueryRunner) {}

  async revert(entry: StoredEntry): Promise<void> {
    const shape = await this.shape(entry.table);
    const table = quoteIdentifier(shape.name);
    const key = literals(entry.primaryKey);
    const where = whereKey(shape, key);
    const keyed = shape.primaryKey.length > 0;
    switch (entry.action) {
      case 'INSERT':
        await this.queue(`DELETE FROM ${table} WHERE ${where}`, entry);
        return;
      case 'UPDATE': {
        const old = this.writable(shape, entry);
        if (!keyed) {
          // The old values hold the rowid the row had (journals written before they did, not).
          const rowid = literals(entry.oldValues ?? '{}').rowid;
          const before = rowid === undefined ? key : { ...key, rowid };
          if (before.rowid !== key.rowid) await this.queue(`DELETE FROM ${table} WHERE ${where}`, entry);
          for (const sql of this.restoreSql(shape, before, old)) await this.queue(sql, entry);
          return;
        }
        if (shape.primaryKey.every((column) => old.some(([name]) => name === column))) {
          // An upsert of the old row restores it whether or not the updated row is still there; if
          // the update changed the key, the row under the new key goes first.
          const sameKey = shape.primaryKey.every(
            (column) => key[column] === old.find(([name]) => name === column)?.[1],
          );
          if (!sameKey) await this.queue(`DELETE FROM ${table} WHERE ${where}`, entry);
          await this.queue(this.upsertSql(shape, old), entry);
          return;
        }
        await this.flush();
        if (old.length > 0) {
          const assignments = old.map(([column, literal]) => `${quoteIdentifier(column)} = ${literal}`);
          const updated = await this.run(`UPDATE ${table} SET ${assignments.join(', ')} WHERE ${where}`);
          if (updated > 0) return;
        }
        await this.run(this.upsertSql(shape, old));
        return;
      }
      case 'DELETE': {
        const old = this.writable(shape, entry);
        if (!keyed) {
          // NOTE: the rowid may be taken again (a new row gets max(rowid) + 1, and a replaced row
          // is journaled as deleted while an upsert only updates it), so this is not a plain insert.
          for (const sql of this.restoreSql(shape, key, old)) await this.queue(sql, entry);
          return;
        }
        await this.queue(this.upsertSql(shape, old), entry);
        return;
      }
      default: {
        const unknown: never = entry.action;
        throw new Error(`Unknown journal action ${String(unknown)}.`);
      }
    }
  }

  // NOTE: nothing to defer: SQLite runs a foreign key's ON DELETE / ON UPDATE action before the
  // parent row's AFTER triggers, so the cascade is journaled first and reverted last, and newest
  // first keeps every key valid. (Deferring and checking at the end would mean scanning tables with
  // pragma_foreign_key_check, or a COMMIT that fails and stays open.)
  async finish(): Promise<void> {
    await this.flush();
  }

  /**
   * Whether only the oldest journal row touching each key needs reverting (see
   * `EntryReverter.collapsible`): every revert here is absolute, so the table qualifies when its key
   * is its only unique index (partial and expression ones count) and no foreign key involves it.
   */
  async collapsible(table: string): Promise<boolean> {
    const known = this.collapsibleTables.get(table);
    if (known !== undefined) return known;
    const rows: Array<{ unique_indexes: number; references: number; referenced: number }> =
      await this.queryRunner.query(
        `SELECT (SELECT count(*) FROM pragma_index_list(?) WHERE "unique" = 1 AND origin <> 'pk') AS unique_indexes, ` +
          '(SELECT count(*) FROM pragma_foreign_key_list(?)) AS "references", ' +
          '(SELECT count(*) FROM sqlite_schema AS hookdex_table, pragma_foreign_key_list(hookdex_table.name) AS hookdex_key WHERE hookdex_table.type = \'table\' AND hookdex_key."table" = ? COLLATE NOCASE) AS referenced',
        [table, table, table],
      );
    const counts = rows[0];
    const collapsible =
      counts !== undefined &&
      Number(counts.unique_indexes) === 0 &&
      Number(counts.references) === 0 &&
      Number(counts.referenced) === 0;
    this.collapsibleTables.set(table, collapsible);
    return collapsible;
  }

  /**
   * A table without a declared primary key: the old row goes back under its rowid, over the row
   * there if there is one.
   */
  private restoreSql(
    shape: SqliteTableShape,
    key: Record<string, string>,
    old: Array<[string, string]>,
  ): string[] {
    const table = quoteIdentifier(shape.name);
    const where = whereKey(shape, key);
    const keyed = Object.entries(key).map(([column, literal]): [string, string] => [
      columnName(shape, column),
      literal,
    ]);
    const written = [
      ...keyed,
      ...old.map(([column, literal]): [string, string] => [quoteIdentifier(column), literal]),
    ];
    const insert =
      `INSERT INTO ${table} (${written.map(([column]) => column).join(', ')}) ` +
      `SELECT ${written.map(([, literal]) => literal).join(', ')} WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE ${where})`;
    if (old.length === 0) return [insert];
    const assignments = old.map(([column, literal]) => `${quoteIdentifier(column)} = ${literal}`);
    return [`UPDATE ${table} SET ${assignments.join(', ')} WHERE ${where}`, insert];
  }

  /** A table with a declared primary key: the old row, inserted or written over the row with its key. */
  private upsertSql(shape: SqliteTableShape, old: Array<[string, string]>): string {
    const columns = old.map(([column]) => quoteIdentifier(column));
    const values = old.map(([, literal]) => literal);
    const updates = old
      .filter(([column]) => !shape.primaryKey.includes(column))
      .map(([column]) => `${quoteIdentifier(column)} = excluded.${quoteIdentifier(column)}`);
    const conflict = ` ON CONFLICT (${shape.primaryKey.map(quoteIdentifier).join(', ')}) ${
      updates.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updates.join(', ')}`
    }`;
    return `INSERT INTO ${quoteIdentifier(shape.name)} (${columns.join(', ')}) VALUES (${values.join(', ')})${conflict}`;
  }

  private writable(shape: SqliteTableShape, entry: StoredEntry): Array<[string, string]> {
    if (entry.oldValues === null)
      throw new Error(`The ${entry.action} journal row ${entry.id} has no old values.`);
    return Object.entries(literals(entry.oldValues)).filter(([column]) => shape.columns.includes(column));
  }

  private async queue(sql: string, entry: StoredEntry): Promise<void> {
    this.pending.push({ sql, entry });
    if (this.pending.length >= BATCH) await this.flush();
  }

  /**
   * Runs the collected statements, in order, in one exec() under a savepoint. If one fails, the
   * savepoint undoes the batch and the statements run again one by one, so the error names the
   * journal row that could not be reverted (`RevertFailure`).
   */
  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0);
    const database = (this.queryRunner as unknown as { databaseConnection?: Partial<SqliteDatabase> })
      .databaseConnection;
    if (typeof database?.exec === 'function') {
      database.exec(`SAVEPOINT ${SAVEPOINT}`);
      try {
        database.exec(`${batch.map((item) => item.sql).join(';\n')};`);
        database.exec(`RELEASE ${SAVEPOINT}`);
        return;
      } catch {
        database.exec(`ROLLBACK TO ${SAVEPOINT}`);
        database.exec(`RELEASE ${SAVEPOINT}`);
      }
    }
    for (const item of batch) {
      try {
        await this.run(item.sql);
      } catch (error) {
        throw new RevertFailure(item.entry, error);
      }
    }
  }

  private async run(sql: string): Promise<number> {
    return affectedRows(await this.queryRunner.query(sql, [], true));
  }

  private async shape(table: string): Promise<SqliteTableShape> {
    const known = this.shapes.get(table);
    if (known !== undefined) return known;
    const shape = await readSqliteTableShape(this.queryRunner, table);
    if (shape === undefined) throw new Error(`Table ${table} does not exist any more.`);
    this.shapes.set(table, shape);
    return shape;
  }
}

/** The row with `key` (literals by column), as a condition. */
function whereKey(shape: SqliteTableShape, key: Record<string, string>): string {
  return Object.entries(key)
    .map(([column, literal]) => `${columnName(shape, column)} IS ${literal}`)
    .join(' AND ');
}

function literals(json: string): Record<string, string> {
  const object = parseObject(json);
  for (const [column, value] of Object.entries(object)) {
    if (typeof value !== 'string' || !isLiteral(value)) {
      throw new Error(`The journal holds an invalid SQL literal for column ${column}.`);
    }
  }
  return object as Record<string, string>;
}
