import type { QueryRunner } from 'typeorm';

/** What a journal row records: the statement that changed the row. */
export type JournalAction = 'INSERT' | 'UPDATE' | 'DELETE';

/** A journal row as the revert reads it: key and old values still as stored (JSON text). */
export interface StoredEntry {
  id: number;
  level: number;
  table: string;
  action: JournalAction;
  /** JSON object: the primary key of the row after the change (before it, for a delete). */
  primaryKey: string;
  /** JSON object: every column before the change; null for an insert. */
  oldValues: string | null;
  /** PostgreSQL: json and jsonb columns whose old value is JSON `null`, not SQL NULL. */
  jsonNulls: string[];
}

/** What differs between the dialects; `Journal` holds everything they share. */
export interface JournalBackend {
  /** The journal table, qualified where the dialect has schemas. */
  readonly journalTable: string;
  /** The journal table as the queries that read it in id order (`ORDER BY id`) name it. */
  readonly inIdOrder: string;
  /** The placeholder of the `position`-th (1-based) query parameter. */
  parameter(position: number): string;
  /** SQL that reads a stored JSON column as text, for `StoredEntry`. */
  textOf(column: string): string;
  /** SQL that reads the `jsonNulls` of a journal row (a text array, or NULL). */
  readonly jsonNulls: string;
  /** SQL that reads a stored JSON column as an object of texts, for `JournalEntry`. */
  valuesOf(column: string): string;
  /** Creates the internal tables and functions if missing. */
  prepare(queryRunner: QueryRunner): Promise<void>;
  /** Every base table of the database or schema, internal ones included. */
  listTables(queryRunner: QueryRunner): Promise<string[]>;
  /** Replaces every journal trigger of the database or schema with triggers on `tables`. */
  install(queryRunner: QueryRunner, tables: readonly string[]): Promise<void>;
  /** Drops every journal trigger. */
  uninstall(queryRunner: QueryRunner): Promise<void>;
  /** Switches journaling on for the open transaction. */
  begin(queryRunner: QueryRunner, index: string, level: number): Promise<void>;
  /** Switches journaling off for the open transaction. */
  end(queryRunner: QueryRunner): Promise<void>;
  /** Switches journaling off and returns what switches it back to what it was. */
  suspend(queryRunner: QueryRunner): Promise<() => Promise<void>>;
  /** A reverter for one revert run over rows of `tables` (it may cache table shapes meanwhile). */
  reverter(queryRunner: QueryRunner, tables: readonly string[]): EntryReverter;
}

/**
 * Undoes journal rows given one at a time, newest first. Foreign key checks are deferred from the
 * first row to `finish`: on PostgreSQL a cascade (ON DELETE / ON UPDATE actions) is journaled after
 * the row that caused it, so newest first would restore a referencing row before its parent.
 */
export interface EntryReverter {
  /**
   * Reverts `entry`, or queues it to be reverted with others by a later call or by `finish`, which
   * then report a queued row that fails as a `RevertFailure`.
   */
  revert(entry: StoredEntry): Promise<void>;
  /**
   * Whether reverting only the oldest journal row that touches each key of `table` restores it:
   * every revert of the table's rows is absolute (a delete, or the whole old row), its key is its
   * only unique constraint and no foreign key involves it. Absent: every row is reverted.
   */
  collapsible?(table: string): Promise<boolean>;
  /** Checks the deferred foreign keys and puts the constraints back as they were. */
  finish(): Promise<void>;
}

/** A journal row that could not be reverted, with the database's error as `cause`. */
export class RevertFailure extends Error {
  constructor(
    readonly entry: StoredEntry,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'RevertFailure';
  }
}

/** Column names of a stored JSON object (its keys, in order). */
export function keysOf(json: string): string[] {
  return Object.keys(parseObject(json));
}

/** A stored JSON object. */
export function parseObject(json: string): Record<string, unknown> {
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`Expected a JSON object in the journal, found ${json.slice(0, 80)}.`);
  }
  return value as Record<string, unknown>;
}

/** The number of rows a structured query result changed. */
export function affectedRows(result: unknown): number {
  const affected = (result as { affected?: number | null }).affected;
  return typeof affected === 'number' ? affected : 0;
}
