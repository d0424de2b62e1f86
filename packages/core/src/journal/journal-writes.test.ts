import { afterEach, describe, expect, it } from 'vitest';
import { DATABASES } from '../_test/project.js';
import { checkLevels, createHarness, type JournalHarness } from './_fixtures/journal-harness.js';

const TABLES = [
  'CREATE TABLE owner (id integer PRIMARY KEY, name text NOT NULL)',
  'CREATE TABLE holding (id integer PRIMARY KEY, owner_id integer NOT NULL REFERENCES owner (id) ' +
    'ON DELETE CASCADE ON UPDATE CASCADE, amount integer NOT NULL)',
  'CREATE TABLE delegation (id integer PRIMARY KEY, owner_id integer REFERENCES owner (id) ON DELETE SET NULL ON UPDATE SET NULL)',
  'CREATE TABLE supply (token text PRIMARY KEY, supply bigint NOT NULL)',
  'CREATE TABLE balance (token text NOT NULL, account text NOT NULL, amount bigint NOT NULL, PRIMARY KEY (token, account))',
  'CREATE TABLE event_log (token text, note text)',
  'CREATE TABLE token_name (id integer PRIMARY KEY, name text NOT NULL UNIQUE)',
  `CREATE TABLE "Odd ""Table""" ("Key 'x'" integer PRIMARY KEY, "Value" text, "select" text)`,
];

describe.each(DATABASES)('Journal writes on $name', ({ kind }) => {
  let harness: JournalHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });
  const setup = async () => {
    harness = await createHarness(kind, { ddl: { sqlite: TABLES, postgres: TABLES } });
    return harness;
  };

  it('keeps foreign keys valid while reverting newest first, cascades included', async () => {
    const h = await setup();
    if (kind === 'sqlite') expect(await h.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    await h.exec("INSERT INTO owner VALUES (1, 'one'), (2, 'two')");
    const snapshots = await checkLevels(h, [
      async (sql) => {
        await sql('INSERT INTO holding VALUES (1, 1, 10), (2, 2, 20), (3, 1, 30)');
        await sql('INSERT INTO delegation VALUES (1, 1), (2, 2)');
      },
      async (sql) => {
        await sql("INSERT INTO owner VALUES (3, 'three')");
        await sql('INSERT INTO holding VALUES (4, 3, 40)');
        await sql('DELETE FROM owner WHERE id = 1');
      },
      async (sql) => {
        await sql('UPDATE owner SET id = 20 WHERE id = 2');
        await sql('DELETE FROM holding WHERE id = 4');
        await sql('DELETE FROM owner WHERE id = 3');
      },
    ]);
    expect(snapshots[2]?.holding?.rows.map((row) => Number(row.id))).toEqual([2, 4]);
    expect(snapshots[2]?.delegation?.rows).toEqual([
      { id: 1, owner_id: null },
      { id: 2, owner_id: 2 },
    ]);
    expect(snapshots[3]?.holding?.rows).toMatchObject([{ id: 2, owner_id: 20 }]);
    if (kind === 'postgres') {
      const deferrable = await h.query(
        "SELECT DISTINCT condeferrable FROM pg_constraint WHERE contype = 'f'",
      );
      expect(deferrable).toEqual([{ condeferrable: false }]);
    }
  });

  it('restores a parent updated, then deleted after its children', async () => {
    const h = await setup();
    await h.exec("INSERT INTO owner VALUES (1, 'one'), (2, 'two')", 'INSERT INTO holding VALUES (1, 1, 10)');
    await checkLevels(h, [
      async (sql) => {
        await sql("UPDATE owner SET name = 'renamed' WHERE id = 1");
        await sql('DELETE FROM holding WHERE owner_id = 1');
        await sql('DELETE FROM owner WHERE id = 1');
      },
      (sql) => sql("UPDATE owner SET name = 'other' WHERE id = 2"),
    ]);
  });

  it('reverts a unique value passed between rows', async () => {
    const h = await setup();
    await h.exec("INSERT INTO token_name VALUES (1, 'a'), (2, 'x')");
    await checkLevels(h, [
      async (sql) => {
        await sql("UPDATE token_name SET name = 'z' WHERE id = 2");
        await sql("UPDATE token_name SET name = 'y' WHERE id = 1");
        await sql("UPDATE token_name SET name = 'a' WHERE id = 2");
      },
      (sql) => sql("UPDATE token_name SET name = 'q' WHERE id = 1"),
    ]);
  });

  it('reverts bulk inserts, updates and deletes made by single statements, over many pages', async () => {
    const h = await setup();
    const values = Array.from({ length: 600 }, (_, position) => `('t${position}', ${position})`).join(', ');
    const snapshots = await checkLevels(h, [
      (sql) => sql(`INSERT INTO supply (token, supply) VALUES ${values}`),
      (sql) => sql('UPDATE supply SET supply = supply * 2'),
      (sql) => sql('UPDATE supply SET supply = supply * 2 WHERE supply > 600'),
      (sql) => sql('DELETE FROM supply WHERE supply % 3 = 0'),
    ]);
    expect(snapshots[4]?.supply?.rows).toHaveLength(400);
  });

  it('reverts an arithmetic update applied level after level', async () => {
    const h = await setup();
    await h.exec("INSERT INTO supply VALUES ('tez', 3)");
    const double = (sql: (text: string) => Promise<unknown>) => sql('UPDATE supply SET supply = supply * 2');
    const snapshots = await checkLevels(h, [double, double, double, double, double]);
    expect(snapshots.map((snapshot) => Number(snapshot.supply?.rows[0]?.supply))).toEqual([
      3, 6, 12, 24, 48, 96,
    ]);
  });

  it('reverts composite primary keys and primary key updates', async () => {
    const h = await setup();
    await h.exec("INSERT INTO balance VALUES ('t1', 'a0', 1)");
    await checkLevels(h, [
      (sql) => sql("INSERT INTO balance VALUES ('t1', 'a1', 10), ('t1', 'a2', 20), ('t2', 'a1', 30)"),
      async (sql) => {
        await sql("UPDATE balance SET amount = amount + 5 WHERE token = 't1' AND account = 'a1'");
        await sql("UPDATE balance SET account = 'a9' WHERE token = 't1' AND account = 'a2'");
      },
      async (sql) => {
        await sql("UPDATE balance SET account = 'a10', amount = 0 WHERE account = 'a9'");
        await sql("DELETE FROM balance WHERE token = 't2' AND account = 'a1'");
        await sql("INSERT INTO balance VALUES ('t2', 'a1', 31)");
      },
      (sql) => sql("UPDATE balance SET token = 't3' WHERE token = 't1'"),
    ]);
  });

  it('reverts tables without a primary key, duplicate rows included', async () => {
    const h = await setup();
    await h.exec("INSERT INTO event_log VALUES ('x', 'dup'), ('x', 'dup'), ('z', NULL)");
    const deleteOneDuplicate = h.pick({
      sqlite: "DELETE FROM event_log WHERE rowid = (SELECT min(rowid) FROM event_log WHERE note = 'dup')",
      postgres: "DELETE FROM event_log WHERE ctid = (SELECT ctid FROM event_log WHERE note = 'dup' LIMIT 1)",
    });
    await checkLevels(h, [
      (sql) => sql("INSERT INTO event_log VALUES ('x', 'dup'), ('y', NULL)"),
      async (sql) => {
        await sql(deleteOneDuplicate);
        await sql("UPDATE event_log SET note = 'changed' WHERE token = 'y'");
      },
      (sql) => sql("UPDATE event_log SET note = 'all' WHERE note IS NULL OR note = 'dup'"),
      (sql) => sql("DELETE FROM event_log WHERE token = 'x'"),
    ]);
  });

  it('quotes table and column names', async () => {
    const h = await setup();
    const table = '"Odd ""Table"""';
    await checkLevels(h, [
      (sql) => sql(`INSERT INTO ${table} VALUES (1, 'it''s', 'a'), (2, NULL, 'b')`),
      (sql) => sql(`UPDATE ${table} SET "Value" = 'x', "select" = NULL WHERE "Key 'x'" = 2`),
      (sql) => sql(`DELETE FROM ${table} WHERE "Key 'x'" = 1`),
      (sql) => sql(`UPDATE ${table} SET "Key 'x'" = 3`),
    ]);
    expect(await h.journal.install()).toContain('Odd "Table"');
  });

  it.runIf(kind === 'sqlite')('reverts WITHOUT ROWID and STRICT tables, replaced rows included', async () => {
    const h = await setup();
    await h.exec(
      'CREATE TABLE pair (a TEXT NOT NULL, b INTEGER NOT NULL, label TEXT UNIQUE, PRIMARY KEY (a, b)) WITHOUT ROWID',
      'CREATE TABLE strict_row (id INTEGER PRIMARY KEY, amount INTEGER, data BLOB) STRICT',
      "INSERT INTO pair VALUES ('x', 1, 'one'), ('x', 2, 'two')",
    );
    await h.journal.install();
    await checkLevels(h, [
      async (sql) => {
        await sql("UPDATE OR REPLACE pair SET label = 'one' WHERE b = 2");
        await sql("INSERT INTO strict_row VALUES (1, 9223372036854775807, x'ff')");
      },
      async (sql) => {
        await sql("INSERT OR REPLACE INTO pair VALUES ('x', 2, 'three')");
        await sql('UPDATE strict_row SET amount = -amount - 1, data = NULL');
      },
      (sql) => sql("UPDATE pair SET a = 'y'"),
    ]);
  });

  it('journals writes of the project’s own database triggers', async () => {
    const h = await setup();
    await h.exec(
      ...h.pick({
        sqlite: [
          "CREATE TRIGGER supply_log AFTER INSERT ON supply BEGIN INSERT INTO event_log VALUES (NEW.token, 'minted'); END",
        ],
        postgres: [
          `CREATE FUNCTION log_supply() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN INSERT INTO event_log VALUES (NEW.token, 'minted'); RETURN NULL; END $$`,
          'CREATE TRIGGER supply_log AFTER INSERT ON supply FOR EACH ROW EXECUTE FUNCTION log_supply()',
        ],
      }),
    );
    await checkLevels(h, [
      (sql) => sql("INSERT INTO supply VALUES ('a', 1), ('b', 2)"),
      (sql) => sql("INSERT INTO supply VALUES ('c', 3)"),
    ]);
    await h.level('main', 1, (sql) => sql("INSERT INTO supply VALUES ('d', 4)"));
    expect((await h.journal.entries('main')).map((entry) => entry.table).sort()).toEqual([
      'event_log',
      'supply',
    ]);
  });
});
