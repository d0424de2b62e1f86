import type { QueryRunner } from 'typeorm';
import { affectedRows, type EntryReverter, keysOf, type StoredEntry } from './journal-backend.js';
import { quoteIdentifier } from './sql-text.js';

/** A table as the revert needs it. */
interface TableShape {
  /** Columns a revert may write: not generated; `identityAlways` ones only by INSERT ... OVERRIDING. */
  writable: Map<string, { identityAlways: boolean; type: string }>;
  primaryKey: string[];
}

const KEY = 'hookdex_key';
const OLD = 'hookdex_old';
const ROW = 'hookdex_row';
const CANDIDATE = 'hookdex_candidate';

/**
 * Reverts PostgreSQL journal rows. An insert is undone by deleting the row; an update by writing
 * every old value back to the row found by its stored (new) key, which also undoes a primary key
 * change; a delete by inserting the old row. Updates and deletes end in the same state whatever
 * happened to the row outside the journal: an update whose row is gone re-inserts it, a delete
 * whose row came back overwrites it (`ON CONFLICT` on the primary key).
 */
export class PostgresReverter implements EntryReverter {
  private readonly shapes = new Map<string, TableShape>();
  /** Foreign keys made deferrable for this revert (undefined until the first row). */
  private altered: Array<{ table: string; name: string }> | undefined;

  constructor(
    private readonly queryRunner: QueryRunner,
    private readonly schemaName: string,
    /** The tables the journal rows to revert touch. */
    private readonly tables: readonly string[],
  ) {}

  async revert(entry: StoredEntry): Promise<void> {
    if (this.altered === undefined) await this.deferForeignKeys();
    const shape = await this.shape(entry.table);
    switch (entry.action) {
      case 'INSERT': {
        const { from, where } = this.locate(entry, shape);
        await this.run(`DELETE FROM ${this.target(entry.table)} AS ${ROW} USING ${from} WHERE ${where}`, [
          entry.primaryKey,
        ]);
        return;
      }
      case 'UPDATE': {
        const old = requireOld(entry);
        const columns = keysOf(old).filter((column) => shape.writable.get(column)?.identityAlways === false);
        if (columns.length > 0) {
          const { from, where } = this.locate(entry, shape);
          const assignments = columns.map(
            (column) =>
              `${q(column)} = ${entry.jsonNulls.includes(column) ? "'null'" : `${OLD}.${q(column)}`}`,
          );
          const updated = await this.run(
            `UPDATE ${this.target(entry.table)} AS ${ROW} SET ${assignments.join(', ')} ` +
              `FROM ${from}, ${this.record(entry.table, '$2')} AS ${OLD} WHERE ${where}`,
            [entry.primaryKey, old],
          );
          if (updated > 0) return;
        }
        await this.upsert(entry, shape);
        return;
      }
      case 'DELETE':
        await this.upsert(entry, shape);
        return;
      default: {
        const unknown: never = entry.action;
        throw new Error(`Unknown journal action ${String(unknown)}.`);
      }
    }
  }

  /**
   * Only a DEFERRABLE constraint can be deferred, so every foreign key from or to a table being
   * reverted that is not becomes DEFERRABLE INITIALLY IMMEDIATE (which checks exactly as NOT
   * DEFERRABLE does) for the revert's transaction; referential actions stay immediate whatever the
   * mode. All transactional: a rollback puts the constraints back too. NOTE: ALTER CONSTRAINT locks
   * those tables against writers until the revert's transaction ends, and needs their ownership:
   * keys of tables owned by another role stay as they are (and are checked newest first).
   */
  private async deferForeignKeys(): Promise<void> {
    const keys: Array<{ table: string; name: string }> = await this.queryRunner.query(
      `SELECT c.relname AS table, con.conname AS name FROM pg_constraint con
       JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_class referenced ON referenced.oid = con.confrelid
       WHERE n.nspname = $1 AND con.contype = 'f' AND NOT con.condeferrable AND con.conparentid = 0
         AND (c.relname = ANY ($2) OR (referenced.relnamespace = n.oid AND referenced.relname = ANY ($2)))
         AND pg_has_role(c.relowner, 'MEMBER')`,
      [this.schemaName, this.tables],
    );
    for (const key of keys) {
      await this.queryRunner.query(
        `ALTER TABLE ${this.target(key.table)} ALTER CONSTRAINT ${q(key.name)} DEFERRABLE INITIALLY IMMEDIATE`,
      );
    }
    this.altered = keys;
    await this.queryRunner.query('SET CONSTRAINTS ALL DEFERRED');
  }

  async finish(): Promise<void> {
    if (this.altered === undefined) return;
    // NOTE: checks every deferred row now, so a violation names the revert, not a later commit.
    await this.queryRunner.query('SET CONSTRAINTS ALL IMMEDIATE');
    for (const key of this.altered) {
      await this.queryRunner.query(
        `ALTER TABLE ${this.target(key.table)} ALTER CONSTRAINT ${q(key.name)} NOT DEFERRABLE`,
      );
    }
    this.altered = undefined;
  }

  private async upsert(entry: StoredEntry, shape: TableShape): Promise<void> {
    const { table } = entry;
    const old = requireOld(entry);
    const columns = keysOf(old).filter((column) => shape.writable.has(column));
    const list = columns.map(q).join(', ');
    const values = columns
      .map((column) =>
        entry.jsonNulls.includes(column)
          ? `CAST('null' AS ${shape.writable.get(column)?.type})`
          : `${OLD}.${q(column)}`,
      )
      .join(', ');
    let conflict = '';
    if (shape.primaryKey.length > 0) {
      const updates = columns
        .filter(
          (column) =>
            !shape.primaryKey.includes(column) && shape.writable.get(column)?.identityAlways === false,
        )
        .map((column) => `${q(column)} = EXCLUDED.${q(column)}`);
      conflict = ` ON CONFLICT (${shape.primaryKey.map(q).join(', ')}) ${
        updates.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updates.join(', ')}`
      }`;
    }
    await this.run(
      `INSERT INTO ${this.target(table)} AS ${ROW} (${list}) OVERRIDING SYSTEM VALUE ` +
        `SELECT ${values} FROM ${this.record(table, '$1')} AS ${OLD}${conflict}`,
      [old],
    );
  }

  /**
   * The key record (parameter $1) and the condition that finds the row: its primary key, or, for a
   * table without one, the first row whose every column has the key's text (by ctid: duplicates
   * are interchangeable).
   */
  private locate(entry: StoredEntry, shape: TableShape): { from: string; where: string } {
    const from = `${this.record(entry.table, '$1')} AS ${KEY}`;
    if (shape.primaryKey.length > 0) {
      const match = shape.primaryKey.map((column) => `${ROW}.${q(column)} = ${KEY}.${q(column)}`);
      return { from, where: match.join(' AND ') };
    }
    const match = keysOf(entry.primaryKey).map(
      (column) => `${CANDIDATE}.${q(column)}::text IS NOT DISTINCT FROM ${KEY}.${q(column)}::text`,
    );
    return {
      from,
      where:
        `${ROW}.ctid = (SELECT ${CANDIDATE}.ctid FROM ${this.target(entry.table)} AS ${CANDIDATE} ` +
        `WHERE ${match.join(' AND ')} LIMIT 1)`,
    };
  }

  private record(table: string, parameter: string): string {
    return `json_populate_record(NULL::${this.target(table)}, ${parameter}::json)`;
  }

  private target(table: string): string {
    return `${q(this.schemaName)}.${q(table)}`;
  }

  private async run(sql: string, parameters: unknown[]): Promise<number> {
    return affectedRows(await this.queryRunner.query(sql, parameters, true));
  }

  private async shape(table: string): Promise<TableShape> {
    const known = this.shapes.get(table);
    if (known !== undefined) return known;
    const columns: Array<{
      name: string;
      type: string;
      generated: boolean;
      identity_always: boolean;
      key: number | null;
    }> = await this.queryRunner.query(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attgenerated <> '' AS generated,
           a.attidentity = 'a' AS identity_always, array_position(i.indkey::int2[], a.attnum) AS key
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
         WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
      [this.schemaName, table],
    );
    if (columns.length === 0) {
      throw new Error(`Table ${table} does not exist in schema ${this.schemaName} any more.`);
    }
    const shape: TableShape = {
      writable: new Map(
        columns
          .filter((column) => !column.generated)
          .map((column) => [column.name, { identityAlways: column.identity_always, type: column.type }]),
      ),
      primaryKey: columns
        .filter((column) => column.key !== null)
        .sort((a, b) => (a.key ?? 0) - (b.key ?? 0))
        .map((column) => column.name),
    };
    this.shapes.set(table, shape);
    return shape;
  }
}

function requireOld(entry: StoredEntry): string {
  if (entry.oldValues === null)
    throw new Error(`The ${entry.action} journal row ${entry.id} has no old values.`);
  return entry.oldValues;
}

const q = quoteIdentifier;
