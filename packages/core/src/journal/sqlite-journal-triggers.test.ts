import { describe, expect, it } from 'vitest';
import { checkLevels, sqliteHarness } from './_fixtures/journal-harness.js';
import { sqliteTriggers } from './sqlite-journal-triggers.js';
import type { SqliteTableShape } from './sqlite-table-shape.js';

const shape = (overrides: Partial<SqliteTableShape> = {}): SqliteTableShape => ({
  name: 'named',
  columns: ['id', 'name', 'value'],
  primaryKey: ['id'],
  rowid: true,
  rowidKey: false,
  uniqueKeys: [['id'], ['name']],
  ...overrides,
});

function updateGuard(table: SqliteTableShape): string {
  const sql = sqliteTriggers(table).find((statement) => statement.includes(' BEFORE UPDATE'));
  if (sql === undefined) throw new Error('No BEFORE UPDATE trigger.');
  return sql.slice(0, sql.indexOf(' ON '));
}

describe('sqliteTriggers', () => {
  it('guards only updates that name a key column or the rowid', () => {
    expect(updateGuard(shape())).toMatch(/BEFORE UPDATE OF "id", "name", "rowid", "oid", "_rowid_"$/);
    expect(updateGuard(shape({ rowid: false }))).toMatch(/BEFORE UPDATE OF "id", "name"$/);
    expect(updateGuard(shape({ primaryKey: [], rowidKey: true, uniqueKeys: [] }))).toMatch(
      /BEFORE UPDATE OF "rowid", "oid", "_rowid_"$/,
    );
  });

  it('guards every update when a unique key has a generated column', () => {
    expect(updateGuard(shape({ uniqueKeys: [['id'], ['slug']] }))).toMatch(/BEFORE UPDATE$/);
  });
});

describe('SQLite journal triggers', () => {
  const setup = sqliteHarness();

  it.each([
    ['a rowid table', ''],
    ['a WITHOUT ROWID table', ' WITHOUT ROWID'],
  ])('journals inserts into %s keyed by its primary key alone, one record each', async (_name, options) => {
    const h = await setup(
      `CREATE TABLE holder (address text PRIMARY KEY, balance integer NOT NULL CHECK (balance >= 0))${options}`,
    );
    await h.exec("INSERT INTO holder VALUES ('a', 1)");
    await checkLevels(h, [
      async (sql) => {
        await sql("INSERT INTO holder VALUES ('b', 2)");
        await sql("INSERT OR REPLACE INTO holder VALUES ('a', 10), ('c', 3), ('c', 4)");
      },
      async (sql) => {
        await sql(
          "INSERT INTO holder VALUES ('a', 5), ('d', 1) ON CONFLICT (address) DO UPDATE SET balance = balance + excluded.balance",
        );
        await sql("INSERT OR IGNORE INTO holder VALUES ('b', 0), ('e', -1), ('f', NULL), ('g', 7)");
      },
      async (sql) => {
        await expect(sql("INSERT OR FAIL INTO holder VALUES ('h', 1), ('i', -1)")).rejects.toThrow('CHECK');
        await sql("REPLACE INTO holder VALUES ('h', 2)");
      },
    ]);
    await h.level('main', 1, async (sql) => {
      await sql("INSERT INTO holder VALUES ('x', 1)");
      await sql("INSERT OR REPLACE INTO holder VALUES ('a', 7)");
    });
    expect(
      (await h.journal.entries('main')).map((entry) => [entry.action, entry.primaryKey.address]),
    ).toEqual([
      ['INSERT', "'x'"],
      ['DELETE', "'a'"],
    ]);
  });

  it('journals rows replaced by updates that change the key through any name of the rowid', async () => {
    const h = await setup('CREATE TABLE account (id INTEGER PRIMARY KEY, name text)');
    await h.exec("INSERT INTO account VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')");
    await checkLevels(h, [
      (sql) => sql('UPDATE OR REPLACE account SET rowid = 2 WHERE id = 1'),
      (sql) => sql('UPDATE OR REPLACE account SET "OID" = 3 WHERE id = 2'),
      (sql) => sql('UPDATE OR REPLACE account SET _rowid_ = 4, name = name WHERE id = 3'),
      (sql) => sql('UPDATE OR REPLACE account SET "ID" = 5 WHERE id = 4'),
    ]);
  });

  it('journals rows replaced through a generated unique column', async () => {
    const h = await setup(
      'CREATE TABLE slug (id INTEGER PRIMARY KEY, title text, key text GENERATED ALWAYS AS (lower(title)) STORED UNIQUE)',
    );
    await h.exec("INSERT INTO slug (id, title) VALUES (1, 'X'), (2, 'y')");
    await checkLevels(h, [
      (sql) => sql("UPDATE OR REPLACE slug SET title = 'Y' WHERE id = 1"),
      (sql) => sql("INSERT OR REPLACE INTO slug (id, title) VALUES (3, 'y')"),
    ]);
  });

  it('journals upserts that change the key, and updates of other columns once', async () => {
    const h = await setup(
      'CREATE TABLE named (id integer PRIMARY KEY, name text NOT NULL UNIQUE, value integer)',
    );
    await h.exec("INSERT INTO named VALUES (1, 'a', 1), (2, 'b', 2)");
    await checkLevels(h, [
      (sql) => sql("INSERT INTO named VALUES (1, 'z', 0) ON CONFLICT (id) DO UPDATE SET id = 5"),
      (sql) =>
        sql("INSERT INTO named VALUES (9, 'b', 0) ON CONFLICT (name) DO UPDATE SET name = 'c', id = 2"),
    ]);
    await h.level('main', 1, (sql) => sql('UPDATE named SET value = value + 1'));
    expect((await h.journal.entries('main')).map((entry) => entry.action)).toEqual(['UPDATE', 'UPDATE']);
  });

  it('journals replaced and upserted rows of a table too wide for one json_object()', async () => {
    const columns = Array.from({ length: 70 }, (_, position) => `c${position}`);
    const h = await setup(
      `CREATE TABLE wide (id integer PRIMARY KEY, label text UNIQUE, ${columns.map((name) => `${name} integer`).join(', ')})`,
    );
    const row = (id: number, label: string, value: number) =>
      `(${id}, '${label}', ${columns.map((_, position) => value + position).join(', ')})`;
    await h.exec(`INSERT INTO wide VALUES ${row(1, 'a', 0)}, ${row(2, 'b', 100)}`);
    await checkLevels(h, [
      (sql) => sql(`INSERT OR REPLACE INTO wide VALUES ${row(3, 'a', 7)}`),
      (sql) =>
        sql(`INSERT INTO wide VALUES ${row(2, 'x', 9)} ON CONFLICT (id) DO UPDATE SET c69 = -1, label = 'y'`),
      (sql) => sql("UPDATE OR REPLACE wide SET label = 'y' WHERE id = 3"),
    ]);
  });

  it('journals nothing outside a level, replaced and upserted rows included', async () => {
    const h = await setup(
      'CREATE TABLE named (id integer PRIMARY KEY, name text NOT NULL UNIQUE, value integer)',
    );
    await h.exec(
      "INSERT INTO named VALUES (1, 'a', 1), (2, 'b', 2)",
      "INSERT OR REPLACE INTO named VALUES (3, 'a', 3)",
      "INSERT INTO named VALUES (2, 'c', 0) ON CONFLICT (id) DO UPDATE SET value = 20",
      'UPDATE OR REPLACE named SET id = 3 WHERE id = 2',
      'DELETE FROM named',
    );
    expect(await h.journal.entries('main')).toEqual([]);
  });
});
