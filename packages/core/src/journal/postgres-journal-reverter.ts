import type { QueryRunner } from 'typeorm';
import {
  affectedRows,
  type EntryReverter,
  keysOf,
  parseObject,
  RevertFailure,
  type StoredEntry,
} from './journal-backend.js';
import { JOURNAL_TRIGGER, JOURNAL_TRUNCATE_TRIGGER } from './journal-names.js';
import { quoteIdentifier } from './sql-text.js';

/** A table as the revert needs it. */
interface TableShape {
  /** Columns a revert may write: not generated; `identityAlways` ones only by INSERT ... OVERRIDING. */
  writable: Map<string, { identityAlways: boolean; type: string }>;
  primaryKey: string[];
  /**
   * Whether its rows may be reverted set-based (see `PostgresReverter`): it has a primary key, no
   * trigger or rule of its own, and every foreign key from or to it is deferred for the revert, with
   * no referential action when it is the referenced table.
   */
  batchable: boolean;
}

/** Journal rows of one table queued to be reverted by one statement over their JSON texts. */
interface Batch {
  table: string;
  /** `DELETE` for inserts; for updates and deletes, the columns written and json nulls. */
  signature: string;
  /** The statement, given the SQL of the rows' recordset. */
  statement: (recordset: string) => string;
  rows: string[];
}

const KEY = 'hookdex_key';
const OLD = 'hookdex_old';
const ROW = 'hookdex_row';
const CANDIDATE = 'hookdex_candidate';
const SAVEPOINT = 'hookdex_revert_batch';

// NOTE: one statement per journal row cost more than writing the rows did (a round trip each), so
// rows are queued and reverted this many at a time, with a statement per table.
const BATCH_SIZE = 1000;

/**
 * Reverts PostgreSQL journal rows. An insert is undone by deleting the row; an update by writing
 * every old value back to the row found by its stored (new) key, which also undoes a primary key
 * change; a delete by inserting the old row. Updates and deletes end in the same state whatever
 * happened to the row outside the journal: an update whose row is gone re-inserts it, a delete
 * whose row came back overwrites it (`ON CONFLICT` on the primary key).
 *
 * Rows of batchable tables are queued: inserts to be deleted by one `DELETE ... USING` per table,
 * deletes and updates that kept the primary key to be upserted by one `INSERT ... ON CONFLICT` per
 * table (for such an update the same as the update, or the insert when the row is gone), each over
 * `json_populate_recordset` of the rows. A queue never holds two rows of one key or two kinds of
 * statement for one table, so every row ends as its own revert leaves it, and as nothing else fires
 * (no triggers, rules or referential actions; foreign keys are checked at `finish`), the order
 * within it does not matter. A row that cannot be queued, a second row of a key queued, or a row of
 * the other kind for a table queued runs the queue first. The queue runs in a savepoint; if it
 * fails, its rows are reverted again one by one, newest first, so the error names the row
 * (`RevertFailure`).
 */
export class PostgresReverter implements EntryReverter {
  private readonly shapes = new Map<string, TableShape>();
  /** Foreign keys made deferrable for this revert (undefined until the first row). */
  private altered: Array<{ table: string; name: string }> | undefined;
  /** Queued rows by table, the tables' keys queued, and the rows in the order given. */
  private readonly batches = new Map<string, Batch>();
  private readonly queuedKeys = new Set<string>();
  private readonly queued: StoredEntry[] = [];

  constructor(
    private readonly queryRunner: QueryRunner,
    private readonly schemaName: string,
    /** The tables the journal rows to revert touch. */
    private readonly tables: readonly string[],
  ) {}

  async revert(entry: StoredEntry): Promise<void> {
    if (this.altered === undefined) await this.deferForeignKeys();
    const shape = await this.shape(entry.table);
    const queued = this.batched(entry, shape);
    if (queued === undefined) {
      await this.flush();
      await this.revertOne(entry, shape);
      return;
    }
    const key = `${entry.table}\u0000${entry.primaryKey}`;
    let batch = this.batches.get(entry.table);
    if (this.queuedKeys.has(key) || (batch !== undefined && batch.signature !== queued.signature)) {
      await this.flush();
      batch = undefined;
    }
    if (batch === undefined) {
      batch = { table: entry.table, signature: queued.signature, statement: queued.statement, rows: [] };
      this.batches.set(entry.table, batch);
    }
    batch.rows.push(queued.row);
    this.queuedKeys.add(key);
    this.queued.push(entry);
    if (this.queued.length >= BATCH_SIZE) await this.flush();
  }

  /** How `entry` joins a batch: its JSON row, and its batch's signature and statement. */
  private batched(
    entry: StoredEntry,
    shape: TableShape,
  ): { signature: string; statement: (recordset: string) => string; row: string } | undefined {
    if (!shape.batchable) return undefined;
    const target = this.target(entry.table);
    if (entry.action === 'INSERT') {
      const where = this.keyMatch(shape);
      return {
        signature: 'DELETE',
        statement: (recordset) =>
          `DELETE FROM ${target} AS ${ROW} USING ${recordset} AS ${KEY} WHERE ${where}`,
        row: entry.primaryKey,
      };
    }
    const old = requireOld(entry);
    const values = exactObject(old);
    if (entry.action === 'UPDATE' && !keptKey(exactObject(entry.primaryKey), values)) return undefined;
    const columns = Object.keys(values).filter((column) => shape.writable.has(column));
    return {
      signature: JSON.stringify([columns, entry.jsonNulls]),
      statement: (recordset) =>
        this.upsertSql({ table: entry.table, shape, columns, jsonNulls: entry.jsonNulls, recordset }),
      row: old,
    };
  }

  /** Runs the queued rows (see the class). */
  private async flush(): Promise<void> {
    if (this.queued.length === 0) return;
    const entries = this.queued.splice(0);
    const statements = [...this.batches.values()].map((batch) =>
      batch.statement(
        `json_populate_recordset(NULL::${this.target(batch.table)}, ${escapedLiteral(`[${batch.rows.join(',')}]`)}::json)`,
      ),
    );
    this.batches.clear();
    this.queuedKeys.clear();
    // NOTE: one simple query (no parameters, so several statements may go together): a round trip.
    // Each run of the queue that writes takes one subtransaction id.
    try {
      await this.queryRunner.query(
        [`SAVEPOINT ${SAVEPOINT}`, ...statements, `RELEASE SAVEPOINT ${SAVEPOINT}`].join(';\n'),
      );
      return;
    } catch {
      await this.queryRunner.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}; RELEASE SAVEPOINT ${SAVEPOINT}`);
    }
    for (const entry of entries) {
      try {
        await this.revertOne(entry, await this.shape(entry.table));
      } catch (error) {
        throw new RevertFailure(entry, error);
      }
    }
  }

  /** Reverts one journal row with statements of its own. */
  private async revertOne(entry: StoredEntry, shape: TableShape): Promise<void> {
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
    await this.flush();
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
    const old = requireOld(entry);
    const columns = keysOf(old).filter((column) => shape.writable.has(column));
    await this.run(
      this.upsertSql({
        table: entry.table,
        shape,
        columns,
        jsonNulls: entry.jsonNulls,
        recordset: this.record(entry.table, '$1'),
      }),
      [old],
    );
  }

  /** Inserts the old rows of `recordset`, or writes them over the rows with their primary keys. */
  private upsertSql(options: {
    table: string;
    shape: TableShape;
    columns: readonly string[];
    /** json and jsonb columns holding JSON `null` in every row of the recordset. */
    jsonNulls: readonly string[];
    recordset: string;
  }): string {
    const { shape, columns, jsonNulls } = options;
    const list = columns.map(q).join(', ');
    const values = columns
      .map((column) =>
        jsonNulls.includes(column)
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
    return (
      `INSERT INTO ${this.target(options.table)} AS ${ROW} (${list}) OVERRIDING SYSTEM VALUE ` +
      `SELECT ${values} FROM ${options.recordset} AS ${OLD}${conflict}`
    );
  }

  /**
   * The key record (parameter $1) and the condition that finds the row: its primary key, or, for a
   * table without one, the first row whose every column has the key's text (by ctid: duplicates
   * are interchangeable).
   */
  private locate(entry: StoredEntry, shape: TableShape): { from: string; where: string } {
    const from = `${this.record(entry.table, '$1')} AS ${KEY}`;
    if (shape.primaryKey.length > 0) return { from, where: this.keyMatch(shape) };
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

  /** The condition that finds the row whose primary key the key record holds. */
  private keyMatch(shape: TableShape): string {
    return shape.primaryKey.map((column) => `${ROW}.${q(column)} = ${KEY}.${q(column)}`).join(' AND ');
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
    // NOTE: read after the foreign keys were made deferrable, so a key this revert defers counts.
    const ordered: Array<{ ordered: boolean }> = await this.queryRunner.query(
      `SELECT c.relhasrules OR EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal
           AND t.tgname NOT IN ($3, $4))
         OR EXISTS (SELECT 1 FROM pg_constraint con WHERE con.contype = 'f'
           AND (con.conrelid = c.oid OR con.confrelid = c.oid)
           AND (NOT con.condeferrable OR (con.confrelid = c.oid AND (con.confdeltype <> 'a' OR con.confupdtype <> 'a'))))
         AS ordered
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
      [this.schemaName, table, JOURNAL_TRIGGER, JOURNAL_TRUNCATE_TRIGGER],
    );
    const primaryKey = columns
      .filter((column) => column.key !== null)
      .sort((a, b) => (a.key ?? 0) - (b.key ?? 0))
      .map((column) => column.name);
    const shape: TableShape = {
      writable: new Map(
        columns
          .filter((column) => !column.generated)
          .map((column) => [column.name, { identityAlways: column.identity_always, type: column.type }]),
      ),
      primaryKey,
      batchable: primaryKey.length > 0 && ordered[0]?.ordered === false,
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

// NOTE: outside strings, a JSON token that starts with a digit or `-` is a number. Each becomes a
// string starting with U+0000 (which no PostgreSQL text holds), so JSON.parse keeps every digit.
const JSON_STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*/g;

/** A stored JSON object whose numbers stay exact (as marked strings): for comparing values. */
function exactObject(json: string): Record<string, unknown> {
  return parseObject(
    json.replace(JSON_STRING_OR_NUMBER, (token) => (token.startsWith('"') ? token : `"\\u0000${token}"`)),
  );
}

/** Whether an update kept the row's primary key: every key value has the same JSON in the old row. */
function keptKey(key: Record<string, unknown>, old: Record<string, unknown>): boolean {
  return Object.entries(key).every(
    ([column, value]) => Object.hasOwn(old, column) && JSON.stringify(old[column]) === JSON.stringify(value),
  );
}

/** An escape string literal: the same text whatever `standard_conforming_strings` says. */
function escapedLiteral(text: string): string {
  return `E'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

const q = quoteIdentifier;
