import { JOURNAL_CONTEXT_TABLE, JOURNAL_TABLE, SQLITE_TRIGGER_PREFIX } from './journal-names.js';
import { balanced, quoteIdentifier, quoteLiteral } from './sql-text.js';
import type { SqliteTableShape } from './sqlite-table-shape.js';

const CONTEXT = 'hookdex_context';
const ROW = 'hookdex_row';
const ACTIVE = `EXISTS (SELECT 1 FROM ${quoteIdentifier(JOURNAL_CONTEXT_TABLE)})`;

/** The column a journal key names: a table without a declared primary key is keyed by its rowid. */
export function keyColumns(shape: SqliteTableShape): string[] {
  return shape.primaryKey.length > 0 ? shape.primaryKey : ['rowid'];
}

/** A column in SQL: quoted, except the implicit rowid. */
export function columnName(shape: SqliteTableShape, column: string): string {
  return column === 'rowid' && !shape.columns.includes('rowid') ? 'rowid' : quoteIdentifier(column);
}

/** A column of a row alias (`NEW`, `OLD`, a table alias) in SQL. */
function columnOf(shape: SqliteTableShape, alias: string, column: string): string {
  return `${alias}.${columnName(shape, column)}`;
}

/**
 * SQL building a JSON object of `quote()` literals of a row's columns: `{"id":"7","name":"'x'"}`.
 * `quote()` gives SQLite's own literal of the stored value (integers to 64 bits, reals with every
 * digit, text, blobs as X'..', NULL), so a revert writes back exactly what was stored, storage
 * class included.
 */
function rowJson(shape: SqliteTableShape, alias: string, columns: readonly string[]): string {
  const parts = columns.flatMap((column, position) => [
    quoteLiteral(`${position === 0 ? '{' : ','}${JSON.stringify(column)}:`),
    `json_quote(quote(${columnOf(shape, alias, column)}))`,
  ]);
  return balanced([...parts, quoteLiteral('}')], '||');
}

/** `INSERT INTO hookdex_journal ... SELECT ... FROM hookdex_journal_context [extra FROM/WHERE]`. */
function journalInsert(options: {
  shape: SqliteTableShape;
  action: 'INSERT' | 'UPDATE' | 'DELETE';
  keyAlias: string;
  oldAlias: string | undefined;
  from?: string;
}): string {
  const { shape } = options;
  const oldValues = options.oldAlias === undefined ? 'NULL' : rowJson(shape, options.oldAlias, shape.columns);
  return (
    `INSERT INTO ${quoteIdentifier(JOURNAL_TABLE)} (index_name, level, table_name, action, primary_key, old_values) ` +
    `SELECT ${CONTEXT}.index_name, ${CONTEXT}.level, ${quoteLiteral(shape.name)}, '${options.action}', ` +
    `${rowJson(shape, options.keyAlias, keyColumns(shape))}, ${oldValues} ` +
    `FROM ${quoteIdentifier(JOURNAL_CONTEXT_TABLE)} AS ${CONTEXT}${options.from ?? ''};`
  );
}

function triggerName(kind: string, table: string): string {
  return quoteIdentifier(`${SQLITE_TRIGGER_PREFIX}${kind}_${table}`);
}

/** Rows of the table that would conflict with `NEW` on a unique constraint, as a condition on ROW. */
function conflicts(shape: SqliteTableShape, keys: readonly string[][]): string {
  return balanced(
    keys.map((key) =>
      balanced(
        key.map((column) => `${columnOf(shape, ROW, column)} = ${columnOf(shape, 'NEW', column)}`),
        'AND',
      ),
    ),
    'OR',
  );
}

/**
 * The `CREATE TRIGGER` statements that journal a table. They fire only while the context row
 * exists (between `begin` and `end`, inside the level transaction):
 * - AFTER INSERT, UPDATE and DELETE record the row's key and its old values; an update that left
 *   every column's literal unchanged is not recorded.
 * - BEFORE INSERT and BEFORE UPDATE (of a key column) record, as a delete, every row that the new
 *   row conflicts with on a unique constraint. `INSERT OR REPLACE` and `UPDATE OR REPLACE` delete
 *   such rows without firing delete triggers (unless `recursive_triggers` is on). When nothing is
 *   replaced (the statement fails, is ignored, or upserts), the extra record holds the row as it is
 *   at that moment, which a newest-first revert restores anyway, so it changes nothing.
 */
export function sqliteTriggers(shape: SqliteTableShape): string[] {
  const table = quoteIdentifier(shape.name);
  const changed = balanced(
    shape.columns.map(
      (column) => `quote(${columnOf(shape, 'OLD', column)}) IS NOT quote(${columnOf(shape, 'NEW', column)})`,
    ),
    'OR',
  );
  const statements = [
    `CREATE TRIGGER ${triggerName('insert', shape.name)} AFTER INSERT ON ${table} WHEN ${ACTIVE} BEGIN ` +
      `${journalInsert({ shape, action: 'INSERT', keyAlias: 'NEW', oldAlias: undefined })} END`,
    `CREATE TRIGGER ${triggerName('update', shape.name)} AFTER UPDATE ON ${table} WHEN ${ACTIVE} AND ${changed} BEGIN ` +
      `${journalInsert({ shape, action: 'UPDATE', keyAlias: 'NEW', oldAlias: 'OLD' })} END`,
    `CREATE TRIGGER ${triggerName('delete', shape.name)} AFTER DELETE ON ${table} WHEN ${ACTIVE} BEGIN ` +
      `${journalInsert({ shape, action: 'DELETE', keyAlias: 'OLD', oldAlias: 'OLD' })} END`,
  ];
  const keys = [...shape.uniqueKeys, ...(shape.primaryKey.length === 0 ? [['rowid']] : [])];
  if (keys.length === 0) return statements;
  const replaced = (where: string) =>
    journalInsert({
      shape,
      action: 'DELETE',
      keyAlias: ROW,
      oldAlias: ROW,
      from: `, ${table} AS ${ROW} WHERE ${where}`,
    });
  statements.push(
    `CREATE TRIGGER ${triggerName('before_insert', shape.name)} BEFORE INSERT ON ${table} WHEN ${ACTIVE} BEGIN ` +
      `${replaced(conflicts(shape, keys))} END`,
  );
  const keyChanged = balanced(
    [...new Set(keys.flat())].map(
      (column) => `${columnOf(shape, 'NEW', column)} IS NOT ${columnOf(shape, 'OLD', column)}`,
    ),
    'OR',
  );
  const itself = shape.rowid
    ? `${ROW}.rowid = OLD.rowid`
    : balanced(
        shape.primaryKey.map(
          (column) => `${columnOf(shape, ROW, column)} IS ${columnOf(shape, 'OLD', column)}`,
        ),
        'AND',
      );
  statements.push(
    `CREATE TRIGGER ${triggerName('before_update', shape.name)} BEFORE UPDATE ON ${table} WHEN ${ACTIVE} AND ${keyChanged} BEGIN ` +
      `${replaced(`(${conflicts(shape, keys)}) AND NOT (${itself})`)} END`,
  );
  return statements;
}
