import { describe, expect, it } from 'vitest';
import { checkLevels, sqliteHarness } from './_fixtures/journal-harness.js';

// NOTE: on a collapsible table SQLite reverts only the oldest journal row per key; these cases
// break a revert that collapses where that is wrong, or that puts a rowid table's row back with a
// plain insert although its rowid is taken.
describe('SQLite journal reverts', () => {
  const setup = sqliteHarness();

  it('reverts only the oldest row per key of a table keyed by its primary key alone', async () => {
    const h = await setup('CREATE TABLE holder (address text PRIMARY KEY, balance integer NOT NULL)');
    await h.exec("INSERT INTO holder VALUES ('a', 1)");
    const upsert = (balance: number) => (sql: (text: string) => Promise<unknown>) =>
      sql(
        `INSERT INTO holder VALUES ('a', ${balance}), ('b', ${balance}) ON CONFLICT (address) DO UPDATE SET balance = excluded.balance`,
      );
    await h.level('main', 1, upsert(2));
    await h.level('main', 2, upsert(3));
    await h.level('main', 3, upsert(4));
    expect((await h.journal.entries('main')).length).toBeGreaterThan(2);
    expect(await h.revert('main', 0)).toBe(2);
    expect(await h.query('SELECT address, balance FROM holder')).toEqual([{ address: 'a', balance: 1 }]);
  });

  it('puts rows of a table without a primary key back under a rowid that was taken again', async () => {
    const h = await setup('CREATE TABLE note (body text)');
    await h.exec("INSERT INTO note VALUES ('a'), ('b')");
    await checkLevels(h, [
      async (sql) => {
        await sql("DELETE FROM note WHERE body = 'b'");
        await sql("INSERT INTO note VALUES ('c')");
      },
      (sql) => sql("UPDATE note SET body = 'd' WHERE body = 'c'"),
    ]);
  });

  it('puts rows of a table without a primary key back under the rowid they had, over a row replaced', async () => {
    const h = await setup('CREATE TABLE note (body text)');
    await h.exec("INSERT INTO note (rowid, body) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    const rows = () => h.query('SELECT rowid AS id, body FROM note ORDER BY rowid');
    const start = await rows();
    await checkLevels(h, [
      (sql) => sql('UPDATE OR REPLACE note SET rowid = 1 WHERE rowid = 2'),
      async (sql) => {
        await sql('UPDATE note SET rowid = 7 WHERE rowid = 3');
        await sql("UPDATE note SET body = 'x' WHERE rowid = 7");
      },
    ]);
    expect(await rows()).toEqual(start);
  });

  it('reverts upserts and replaced rows of a table without a primary key', async () => {
    const h = await setup('CREATE TABLE tag (name text UNIQUE, hits integer)');
    await h.exec("INSERT INTO tag (rowid, name, hits) VALUES (1, 'a', 1), (2, 'b', 2)");
    const upsert =
      "INSERT INTO tag VALUES ('a', 5) ON CONFLICT (name) DO UPDATE SET hits = hits + excluded.hits";
    await checkLevels(h, [
      (sql) => sql(upsert),
      async (sql) => {
        await sql(upsert);
        await sql("INSERT OR REPLACE INTO tag (rowid, name, hits) VALUES (1, 'a', 10)");
      },
      (sql) => sql("REPLACE INTO tag (rowid, name, hits) VALUES (3, 'b', 20)"),
    ]);
  });

  it('reverts a row moved onto the key of a row it replaced', async () => {
    const h = await setup('CREATE TABLE account (id integer PRIMARY KEY, name text)');
    await h.exec("INSERT INTO account VALUES (1, 'a'), (2, 'b')");
    await checkLevels(h, [
      (sql) => sql('UPDATE OR REPLACE account SET id = 2 WHERE id = 1'),
      (sql) => sql("INSERT INTO account VALUES (1, 'c')"),
      (sql) => sql('UPDATE account SET id = 3 WHERE id = 2'),
    ]);
  });

  it('reverts a key moved away, taken by a new row, and moved again', async () => {
    const h = await setup('CREATE TABLE pair (a text, b integer, v text, PRIMARY KEY (a, b)) WITHOUT ROWID');
    await h.exec("INSERT INTO pair VALUES ('x', 1, 'one')");
    await checkLevels(h, [
      async (sql) => {
        await sql('UPDATE pair SET b = 2 WHERE b = 1');
        await sql("INSERT INTO pair VALUES ('x', 1, 'new')");
        await sql('UPDATE pair SET b = 3 WHERE b = 2');
      },
      (sql) => sql("INSERT OR REPLACE INTO pair VALUES ('x', 3, 'replaced')"),
    ]);
  });
});
