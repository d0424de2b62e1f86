import { JOURNAL_CONTEXT_TABLE, JOURNAL_TABLE, SQLITE_TRIGGER_PREFIX } from './journal-names.js';
import { balanced, quoteIdentifier, quoteLiteral } from './sql-text.js';
import type { SqliteTableShape } from './sqlite-table-shape.js';

const CONTEXT = 'hookdex_context';
const ROW = 'hookdex_row';
// NOTE: json_object() takes two arguments per column; SQLite builds before 3.48 allow 127
// arguments, so wider tables concatenate the object (the same text, only slower to compile).
const JSON_OBJECT_COLUMNS = 63;

/** The column a journal key names: a table without a declared primary key is keyed by its rowid. */
export function keyColumns(shape: SqliteTableShape): string[] {
  return shape.primaryKey.length > 0 ? shape.primaryKey : ['rowid'];
}

/**
 * The columns whose old values a journal row keeps: every stored column, and on a table without a
 * declared primary key also the rowid, so that a revert puts the row back where it was.
 */
export function journaledColumns(shape: SqliteTableShape): string[] {
  return shape.primaryKey.length > 0 ? shape.columns : [...new Set(['rowid', ...shape.columns])];
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
  if (columns.length <= JSON_OBJECT_COLUMNS) {
    const pairs = columns.map(
      (column) => `${quoteLiteral(column)}, quote(${columnOf(shape, alias, column)})`,
    );
    return `json_object(${pairs.join(', ')})`;
  }
  const parts = columns.flatMap((column, position) => [
    quoteLiteral(`${position === 0 ? '{' : ','}${JSON.stringify(column)}:`),
    `json_quote(quote(${columnOf(shape, alias, column)}))`,
  ]);
  return balanced([...parts, quoteLiteral('}')], '||');
}

/** `INSERT INTO hookdex_journal ... SELECT ... FROM hookdex_journal_context [join]`, values as SQL. */
function journalInsert(options: {
  shape: SqliteTableShape;
  action: string;
  key: string;
  oldValues: string;
  join?: string;
}): string {
  return (
    `INSERT INTO ${quoteIdentifier(JOURNAL_TABLE)} (index_name, level, table_name, action, primary_key, old_values) ` +
    `SELECT ${CONTEXT}.index_name, ${CONTEXT}.level, ${quoteLiteral(options.shape.name)}, ${options.action}, ` +
    `${options.key}, ${options.oldValues} ` +
    `FROM ${quoteIdentifier(JOURNAL_CONTEXT_TABLE)} AS ${CONTEXT}${options.join ?? ''};`
  );
}

/** A journal row of `action` keyed by `keyAlias`'s key, with `oldAlias`'s columns as old values. */
function record(
  shape: SqliteTableShape,
  options: { action: 'INSERT' | 'UPDATE' | 'DELETE'; keyAlias: string; oldAlias?: string; join?: string },
): string {
  return journalInsert({
    shape,
    action: `'${options.action}'`,
    key: rowJson(shape, options.keyAlias, keyColumns(shape)),
    oldValues:
      options.oldAlias === undefined ? 'NULL' : rowJson(shape, options.oldAlias, journaledColumns(shape)),
    ...(options.join === undefined ? {} : { join: options.join }),
  });
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
 * The `CREATE TRIGGER` statements that journal a table. Each body selects from the context table,
 * so it records nothing outside a level (between `begin` and `end`, inside the level transaction):
 * - AFTER INSERT, UPDATE and DELETE record the row's key and its old values; an update that left
 *   every column's literal unchanged is not recorded.
 * - BEFORE INSERT and BEFORE UPDATE (of a key column) record, as a delete, every row that the new
 *   row conflicts with on a unique constraint. `INSERT OR REPLACE` and `UPDATE OR REPLACE` delete
 *   such rows without firing delete triggers (unless `recursive_triggers` is on). When nothing is
 *   replaced (the statement fails, is ignored, or upserts), the extra record holds the row as it is
 *   at that moment, which a newest-first revert restores anyway, so it changes nothing.
 * - A table whose only unique constraint is a primary key other than the rowid knows the new row's
 *   key before the insert, and can conflict only on it: one BEFORE INSERT trigger records either the
 *   row with that key as a delete, or else the insert. If the insert then fails or is ignored, the
 *   insert record reverts to deleting a key that was free at that moment, which changes nothing.
 */
// NOTE: SQLite compiles every trigger that a statement can fire into the statement when it is
// prepared, and TypeORM prepares most writes anew (its query builder inlines values, and its
// statement cache holds 100), so compiling the triggers costs more than running them. Hence no
// `WHEN EXISTS` on the context (the body's join already finds no context row), one BEFORE INSERT
// trigger instead of two where that is exact, and a BEFORE UPDATE guard limited to the key
// columns (`UPDATE OF`), so that updates of other columns, upserts' included, do not compile it.
export function sqliteTriggers(shape: SqliteTableShape): string[] {
  const table = quoteIdentifier(shape.name);
  const changed = balanced(
    journaledColumns(shape).map(
      (column) => `quote(${columnOf(shape, 'OLD', column)}) IS NOT quote(${columnOf(shape, 'NEW', column)})`,
    ),
    'OR',
  );
  const statements = [
    `CREATE TRIGGER ${triggerName('update', shape.name)} AFTER UPDATE ON ${table} WHEN ${changed} BEGIN ` +
      `${record(shape, { action: 'UPDATE', keyAlias: 'NEW', oldAlias: 'OLD' })} END`,
    `CREATE TRIGGER ${triggerName('delete', shape.name)} AFTER DELETE ON ${table} BEGIN ` +
      `${record(shape, { action: 'DELETE', keyAlias: 'OLD', oldAlias: 'OLD' })} END`,
  ];
  const keys = [...shape.uniqueKeys, ...(shape.primaryKey.length === 0 ? [['rowid']] : [])];
  if (!shape.rowidKey && keys.length === 1) {
    statements.push(
      `CREATE TRIGGER ${triggerName('before_insert', shape.name)} BEFORE INSERT ON ${table} BEGIN ` +
        `${insertOrReplaced(shape)} END`,
    );
  } else {
    statements.push(
      `CREATE TRIGGER ${triggerName('insert', shape.name)} AFTER INSERT ON ${table} BEGIN ` +
        `${record(shape, { action: 'INSERT', keyAlias: 'NEW' })} END`,
    );
  }
  // NOTE: CROSS JOIN keeps the one context row outside; SQLite then plans no join order.
  const replaced = (where: string) =>
    record(shape, {
      action: 'DELETE',
      keyAlias: ROW,
      oldAlias: ROW,
      join: ` CROSS JOIN ${table} AS ${ROW} WHERE ${where}`,
    });
  if (shape.rowidKey || keys.length > 1) {
    statements.push(
      `CREATE TRIGGER ${triggerName('before_insert', shape.name)} BEFORE INSERT ON ${table} BEGIN ` +
        `${replaced(conflicts(shape, keys))} END`,
    );
  }
  const keyColumnNames = [...new Set(keys.flat())];
  const keyChanged = balanced(
    keyColumnNames.map(
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
    `CREATE TRIGGER ${triggerName('before_update', shape.name)} BEFORE UPDATE${updateOf(shape, keyColumnNames)} ON ${table} ` +
      `WHEN ${keyChanged} BEGIN ${replaced(`(${conflicts(shape, keys)}) AND NOT (${itself})`)} END`,
  );
  return statements;
}

/**
 * The one BEFORE INSERT record of a table keyed by a primary key alone: the row with the new key
 * as a delete (its old values) if there is one, else the insert.
 */
function insertOrReplaced(shape: SqliteTableShape): string {
  const [first] = shape.primaryKey;
  if (first === undefined) throw new Error(`Table ${shape.name} has no primary key.`);
  const absent = `${columnOf(shape, ROW, first)} IS NULL`;
  return journalInsert({
    shape,
    action: `CASE WHEN ${absent} THEN 'INSERT' ELSE 'DELETE' END`,
    key: rowJson(shape, 'NEW', shape.primaryKey),
    oldValues: `CASE WHEN ${absent} THEN NULL ELSE ${rowJson(shape, ROW, shape.columns)} END`,
    join: ` LEFT JOIN ${quoteIdentifier(shape.name)} AS ${ROW} ON ${conflicts(shape, [shape.primaryKey])}`,
  });
}

// NOTE: SQLite matches `UPDATE OF` names against the names in the statement's SET list (case
// insensitively), so the rowid's aliases are listed too: `SET rowid = ...` changes an INTEGER
// PRIMARY KEY column and the key of a table without one.
const ROWID_ALIASES = ['rowid', 'oid', '_rowid_'];

/**
 * ` OF <columns>` when an update can only conflict by naming one of `keyColumns` in its SET list;
 * empty (fire on every update) when a key has a column that changes without being named (a
 * generated column).
 */
function updateOf(shape: SqliteTableShape, keyColumnNames: readonly string[]): string {
  const named = keyColumnNames.filter((column) => column !== 'rowid');
  if (!named.every((column) => shape.columns.includes(column))) return '';
  const columns = [...new Set([...named, ...(shape.rowid ? ROWID_ALIASES : [])])];
  return ` OF ${columns.map(quoteIdentifier).join(', ')}`;
}
