import type { QueryRunner } from 'typeorm';

/** A SQLite table as the journal's triggers and reverts need it. */
export interface SqliteTableShape {
  name: string;
  /** Stored columns, in table order (generated and hidden columns are left out). */
  columns: string[];
  /** Declared primary key columns in key order; empty for a rowid table without one. */
  primaryKey: string[];
  /** Whether the table has a rowid (it is not `WITHOUT ROWID`). */
  rowid: boolean;
  /**
   * Whether the key is the rowid (an INTEGER PRIMARY KEY, or no declared key): SQLite may pick its
   * value only as the row is inserted.
   */
  rowidKey: boolean;
  /** Column sets of unique constraints a conflict can hit (the primary key included). */
  uniqueKeys: string[][];
}

/** Reads a table's shape from the `pragma_*` table-valued functions. */
export async function readSqliteTableShape(
  queryRunner: QueryRunner,
  table: string,
): Promise<SqliteTableShape | undefined> {
  const listed: Array<{ wr: number }> = await queryRunner.query(
    "SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?",
    [table],
  );
  const entry = listed[0];
  if (entry === undefined) return undefined;
  const info: Array<{ name: string; pk: number; hidden: number }> = await queryRunner.query(
    'SELECT name, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid',
    [table],
  );
  const columns = info.filter((column) => column.hidden === 0).map((column) => column.name);
  const primaryKey = info
    .filter((column) => column.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((column) => column.name);
  const uniqueKeys: string[][] = primaryKey.length > 0 ? [primaryKey] : [];
  const indexes: Array<{ name: string; origin: string }> = await queryRunner.query(
    'SELECT name, origin FROM pragma_index_list(?) WHERE "unique" = 1 AND partial = 0',
    [table],
  );
  for (const index of indexes) {
    if (index.origin === 'pk') continue;
    const keyColumns: Array<{ cid: number; name: string | null }> = await queryRunner.query(
      'SELECT cid, name FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno',
      [index.name],
    );
    // NOTE: an index on expressions cannot be checked column by column; it is left out.
    if (keyColumns.some((column) => column.cid < 0 || column.name === null)) continue;
    uniqueKeys.push(keyColumns.map((column) => column.name ?? ''));
  }
  // NOTE: a declared primary key other than the rowid has an index of origin 'pk'.
  const rowidKey = entry.wr === 0 && !indexes.some((index) => index.origin === 'pk');
  return { name: table, columns, primaryKey, rowid: entry.wr === 0, rowidKey, uniqueKeys };
}
