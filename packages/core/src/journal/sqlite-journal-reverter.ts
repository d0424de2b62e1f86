import type { QueryRunner } from 'typeorm';
import { affectedRows, type EntryReverter, parseObject, type StoredEntry } from './journal-backend.js';
import { quoteIdentifier } from './sql-text.js';
import { columnName, keyColumns } from './sqlite-journal-triggers.js';
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
 * came back end with the old row in place (`ON CONFLICT` on the declared primary key).
 */
export class SqliteReverter implements EntryReverter {
  private readonly shapes = new Map<string, SqliteTableShape>();

  constructor(private readonly queryRunner: QueryRunner) {}

  async revert(entry: StoredEntry): Promise<void> {
    const shape = await this.shape(entry.table);
    const table = quoteIdentifier(shape.name);
    const key = literals(entry.primaryKey);
    const where = Object.entries(key)
      .map(([column, literal]) => `${columnName(shape, column)} IS ${literal}`)
      .join(' AND ');
    switch (entry.action) {
      case 'INSERT':
        await this.run(`DELETE FROM ${table} WHERE ${where}`);
        return;
      case 'UPDATE': {
        const old = this.writable(shape, entry);
        if (old.length > 0) {
          const assignments = old.map(([column, literal]) => `${quoteIdentifier(column)} = ${literal}`);
          const updated = await this.run(`UPDATE ${table} SET ${assignments.join(', ')} WHERE ${where}`);
          if (updated > 0) return;
        }
        await this.upsert(shape, key, old);
        return;
      }
      case 'DELETE':
        await this.upsert(shape, key, this.writable(shape, entry));
        return;
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
  async finish(): Promise<void> {}

  private async upsert(
    shape: SqliteTableShape,
    key: Record<string, string>,
    old: Array<[string, string]>,
  ): Promise<void> {
    const columns = old.map(([column]) => quoteIdentifier(column));
    const values = old.map(([, literal]) => literal);
    let conflict = '';
    if (shape.primaryKey.length > 0) {
      const updates = old
        .filter(([column]) => !shape.primaryKey.includes(column))
        .map(([column]) => `${quoteIdentifier(column)} = excluded.${quoteIdentifier(column)}`);
      conflict = ` ON CONFLICT (${shape.primaryKey.map(quoteIdentifier).join(', ')}) ${
        updates.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updates.join(', ')}`
      }`;
    } else {
      // A rowid table without a declared key: the row goes back under its old rowid.
      for (const column of keyColumns(shape)) {
        const literal = key[column];
        if (literal === undefined) continue;
        columns.unshift(columnName(shape, column));
        values.unshift(literal);
      }
    }
    await this.run(
      `INSERT INTO ${quoteIdentifier(shape.name)} (${columns.join(', ')}) VALUES (${values.join(', ')})${conflict}`,
    );
  }

  /** The entry's old values of columns the table still has. */
  private writable(shape: SqliteTableShape, entry: StoredEntry): Array<[string, string]> {
    if (entry.oldValues === null)
      throw new Error(`The ${entry.action} journal row ${entry.id} has no old values.`);
    return Object.entries(literals(entry.oldValues)).filter(([column]) => shape.columns.includes(column));
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

/** A stored JSON object of quote() literals, each checked. */
function literals(json: string): Record<string, string> {
  const object = parseObject(json);
  for (const [column, value] of Object.entries(object)) {
    if (typeof value !== 'string' || !isLiteral(value)) {
      throw new Error(`The journal holds an invalid SQL literal for column ${column}.`);
    }
  }
  return object as Record<string, string>;
}
