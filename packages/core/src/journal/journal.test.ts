import { afterEach, describe, expect, it } from 'vitest';
import { DATABASES } from '../_test/project.js';
import { HookdexError } from '../errors/hookdex-error.js';
import {
  checkLevels,
  createHarness,
  type DatabaseKind,
  type JournalHarness,
} from './_fixtures/journal-harness.js';
import { Journal } from './journal.js';

const TABLES = [
  'CREATE TABLE account (id integer PRIMARY KEY, name varchar(64) NOT NULL, balance bigint NOT NULL, note text)',
  'CREATE TABLE token_metadata (id integer PRIMARY KEY, value text)',
  'CREATE TABLE hookdex_custom (id integer PRIMARY KEY, value text)',
];

describe.each(DATABASES)('Journal on $name', ({ kind }) => {
  let harness: JournalHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });
  const setup = async (immuneTables: string[] = ['token_metadata']) => {
    harness = await createHarness(kind, { ddl: { sqlite: TABLES, postgres: TABLES }, immuneTables });
    return harness;
  };
  const insertAccount = 'INSERT INTO account (id, name, balance, note) VALUES (?, ?, ?, ?)';

  it('journals and reverts inserts, updates of some columns and deletes of whole rows', async () => {
    const h = await setup();
    await h.exec("INSERT INTO account VALUES (1, 'alice', 100, NULL)");
    await checkLevels(h, [
      async (sql) => {
        await sql(insertAccount, [2, 'bob', 5, 'first']);
        await sql(insertAccount, [3, 'carol', 7, null]);
      },
      async (sql) => {
        await sql('UPDATE account SET name = ? WHERE id = ?', ['alicia', 1]);
        await sql('UPDATE account SET balance = ?, note = ? WHERE id = ?', [9, 'set', 3]);
        await sql('UPDATE account SET note = NULL WHERE id = ?', [2]);
      },
      async (sql) => {
        await sql('DELETE FROM account WHERE id = ?', [2]);
        await sql(insertAccount, [4, 'dave', 1, null]);
        await sql('UPDATE account SET balance = balance + 1 WHERE id = ?', [4]);
      },
    ]);
  });

  it('records the table, action, key and old values of every change', async () => {
    const h = await setup();
    await h.level('main', 1, (sql) => sql(insertAccount, [1, "o'neil", 5, null]));
    await h.level('main', 2, (sql) => sql('UPDATE account SET balance = 6 WHERE id = 1'));
    await h.level('main', 3, (sql) => sql('DELETE FROM account WHERE id = 1'));
    const entries = await h.journal.entries('main');
    expect(entries.map(({ level, table, action }) => ({ level, table, action }))).toEqual([
      { level: 1, table: 'account', action: 'INSERT' },
      { level: 2, table: 'account', action: 'UPDATE' },
      { level: 3, table: 'account', action: 'DELETE' },
    ]);
    expect(entries.map((entry) => entry.primaryKey)).toEqual([{ id: '1' }, { id: '1' }, { id: '1' }]);
    expect(entries[0]?.oldValues).toBeNull();
    expect(entries[1]?.oldValues).toEqual(
      h.pick({
        sqlite: { id: '1', name: "'o''neil'", balance: '5', note: 'NULL' },
        postgres: { id: '1', name: "o'neil", balance: '5', note: null },
      }),
    );
    expect(entries[2]?.oldValues).toMatchObject({ balance: '6' });
  });

  it('does not journal writes made outside begin and end', async () => {
    const h = await setup();
    await h.exec("INSERT INTO account VALUES (1, 'autocommit', 1, NULL)");
    await h.transaction(async (queryRunner, sql) => {
      await sql(insertAccount, [2, 'before begin', 1, null]);
      await h.journal.begin(queryRunner, 'main', 1);
      await sql(insertAccount, [3, 'journaled', 1, null]);
      await h.journal.end(queryRunner);
      await sql(insertAccount, [4, 'after end', 1, null]);
    });
    await h.transaction((_queryRunner, sql) => sql('UPDATE account SET balance = 2'));
    const entries = await h.journal.entries('main');
    expect(entries.map((entry) => [entry.action, entry.primaryKey.id])).toEqual([['INSERT', '3']]);
    expect(await h.revert('main', 0)).toBe(1);
    expect((await h.query('SELECT id FROM account ORDER BY id')).map((row) => Number(row.id))).toEqual([
      1, 2, 4,
    ]);
  });

  it('never journals immune tables or internal hookdex_ tables', async () => {
    const h = await setup();
    expect(await h.journal.install()).toEqual(['account']);
    await h.level('main', 1, async (sql) => {
      await sql("INSERT INTO token_metadata VALUES (1, 'immune')");
      await sql("INSERT INTO hookdex_custom VALUES (1, 'internal')");
      await sql("INSERT INTO account VALUES (1, 'journaled', 1, NULL)");
    });
    expect((await h.journal.entries('main')).map((entry) => entry.table)).toEqual(['account']);
    await h.revert('main', 0);
    expect(await h.query('SELECT value FROM token_metadata')).toEqual([{ value: 'immune' }]);
    expect(await h.query('SELECT value FROM hookdex_custom')).toEqual([{ value: 'internal' }]);
    expect(await h.query('SELECT * FROM account')).toEqual([]);
  });

  it('keeps the journal of a released savepoint and drops that of a rolled-back one', async () => {
    const h = await setup();
    await h.exec("INSERT INTO account VALUES (1, 'start', 1, NULL)");
    const before = await h.snapshot();
    await h.level('main', 1, async (sql, queryRunner) => {
      await queryRunner.startTransaction();
      await sql(insertAccount, [2, 'released', 1, null]);
      await sql('UPDATE account SET balance = 10 WHERE id = 1');
      await queryRunner.commitTransaction();
      await queryRunner.startTransaction();
      await sql(insertAccount, [3, 'rolled back', 1, null]);
      await sql('DELETE FROM account WHERE id = 1');
      await queryRunner.rollbackTransaction();
    });
    const entries = await h.journal.entries('main');
    expect(entries.map((entry) => [entry.action, entry.primaryKey.id])).toEqual([
      ['INSERT', '2'],
      ['UPDATE', '1'],
    ]);
    await h.revert('main', 0);
    expect(await h.snapshot()).toEqual(before);
  });

  it('journals nothing, and stays off, when the level transaction rolls back', async () => {
    const h = await setup();
    await expect(
      h.level('main', 1, async (sql) => {
        await sql(insertAccount, [1, 'lost', 1, null]);
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    await h.exec("INSERT INTO account VALUES (2, 'later', 1, NULL)");
    await h.transaction((_queryRunner, sql) => sql('UPDATE account SET balance = 3'));
    expect(await h.journal.entries('main')).toEqual([]);
    if (kind === 'sqlite') expect(await h.query('SELECT * FROM hookdex_journal_context')).toEqual([]);
  });

  it('does not journal its own writes, and resumes journaling when reverting inside a level', async () => {
    const h = await setup();
    await h.level('main', 1, (sql) => sql(insertAccount, [1, 'one', 1, null]));
    await h.level('main', 2, (sql) => sql('UPDATE account SET balance = 2 WHERE id = 1'));
    await h.transaction(async (queryRunner, sql) => {
      await h.journal.begin(queryRunner, 'other', 7);
      expect(await h.journal.revert(queryRunner, 'main', 1)).toBe(1);
      await sql(insertAccount, [2, 'two', 1, null]);
      await h.journal.end(queryRunner);
    });
    expect((await h.journal.entries('main')).map((entry) => entry.level)).toEqual([1]);
    expect((await h.journal.entries('other')).map((entry) => [entry.level, entry.primaryKey.id])).toEqual([
      [7, '2'],
    ]);
  });

  it('does not journal an update that changes nothing', async () => {
    const h = await setup();
    await h.exec("INSERT INTO account VALUES (1, 'same', 1, NULL)");
    await h.level('main', 1, (sql) => sql("UPDATE account SET name = 'same', balance = 1"));
    expect(await h.journal.entries('main')).toEqual([]);
  });

  it('prunes only the given index, at or below the level', async () => {
    const h = await setup();
    for (const level of [1, 2, 3]) {
      await h.level('first', level, (sql) => sql(insertAccount, [level, 'first', level, null]));
      await h.level('second', level, (sql) => sql(insertAccount, [10 + level, 'second', level, null]));
    }
    expect(await h.transaction((queryRunner) => h.journal.prune(queryRunner, 'first', 2))).toBe(2);
    expect((await h.journal.entries('first')).map((entry) => entry.level)).toEqual([3]);
    expect((await h.journal.entries('second')).map((entry) => entry.level)).toEqual([1, 2, 3]);
    expect(await h.revert('first', 0)).toBe(1);
    expect((await h.query('SELECT id FROM account ORDER BY id')).map((row) => Number(row.id))).toEqual([
      1, 2, 11, 12, 13,
    ]);
  });

  it('prunes rows journaled out of level order at a later prune', async () => {
    const h = await setup();
    for (const [position, level] of [1, 2, 3, 2].entries()) {
      await h.level('main', level, (sql) => sql(insertAccount, [position, 'x', level, null]));
    }
    const prune = (level: number) =>
      h.transaction((queryRunner) => h.journal.prune(queryRunner, 'main', level));
    expect(await prune(2)).toBe(2);
    expect((await h.journal.entries('main')).map((entry) => entry.level)).toEqual([3, 2]);
    expect(await prune(3)).toBe(2);
    expect(await h.journal.entries('main')).toEqual([]);
  });

  it.runIf(kind === 'sqlite')('keeps no index on the SQLite journal, dropping an earlier one', async () => {
    const h = await setup();
    await h.exec('CREATE INDEX hookdex_journal_index_level ON hookdex_journal (index_name, level)');
    await h.journal.prepare();
    expect(await h.query("SELECT name FROM pragma_index_list('hookdex_journal')")).toEqual([]);
  });

  it('clears every index with clear()', async () => {
    const h = await setup();
    await h.level('first', 1, (sql) => sql(insertAccount, [1, 'first', 1, null]));
    await h.level('second', 1, (sql) => sql(insertAccount, [2, 'second', 1, null]));
    await h.journal.clear();
    expect([...(await h.journal.entries('first')), ...(await h.journal.entries('second'))]).toEqual([]);
  });

  it.runIf(kind === 'sqlite')('drops, at prepare, a context row that a commit without end left', async () => {
    const h = await setup();
    await h.transaction((queryRunner) => h.journal.begin(queryRunner, 'main', 1));
    await h.journal.prepare();
    await h.exec("INSERT INTO account VALUES (1, 'x', 1, NULL)");
    expect(await h.journal.entries('main')).toEqual([]);
  });

  it('journals and reverts two indexes separately', async () => {
    const h = await setup();
    const start = await h.snapshot();
    await h.level('first', 1, (sql) => sql(insertAccount, [1, 'first', 1, null]));
    await h.level('second', 5, (sql) => sql(insertAccount, [2, 'second', 1, null]));
    const afterFirst = await h.snapshot();
    await h.level('first', 2, (sql) => sql('UPDATE account SET balance = 10 WHERE id = 1'));
    await h.level('second', 6, (sql) => sql('UPDATE account SET note = ? WHERE id = 2', ['x']));
    expect(await h.revert('first', 1)).toBe(1);
    expect(await h.revert('second', 5)).toBe(1);
    expect(await h.snapshot()).toEqual(afterFirst);
    expect(await h.revert('second', 0)).toBe(1);
    expect(await h.revert('first', 0)).toBe(1);
    expect(await h.snapshot()).toEqual(start);
  });

  it('installs idempotently and journals each write once', async () => {
    const h = await setup();
    const triggers = () => countTriggers(h, kind);
    const installed = await triggers();
    expect(await h.journal.install()).toEqual(['account']);
    expect(await h.journal.install()).toEqual(['account']);
    expect(await triggers()).toBe(installed);
    await checkLevels(h, [(sql) => sql(insertAccount, [1, 'once', 1, null])]);
    await h.level('main', 1, (sql) => sql(insertAccount, [1, 'once', 1, null]));
    expect(await h.journal.entries('main')).toHaveLength(1);
  });

  it('follows a column added after install', async () => {
    const h = await setup();
    await h.exec("INSERT INTO account VALUES (1, 'one', 1, NULL)");
    await h.exec('ALTER TABLE account ADD COLUMN extra text');
    await h.journal.install();
    const snapshots = await checkLevels(h, [
      (sql) => sql("UPDATE account SET extra = 'new' WHERE id = 1"),
      (sql) => sql("INSERT INTO account (id, name, balance, extra) VALUES (2, 'two', 2, 'x')"),
    ]);
    expect(snapshots[1]?.account?.rows).toMatchObject([{ id: 1, extra: 'new' }]);
  });

  it('drops the triggers of tables that became immune, and all of them at uninstall', async () => {
    const h = await setup([]);
    expect(await h.journal.install()).toEqual(['account', 'token_metadata']);
    const both = await countTriggers(h, kind);
    const journal = new Journal(h.dataSource, {
      dialect: kind,
      schema: h.schema,
      immuneTables: ['token_metadata'],
    });
    expect(await journal.install()).toEqual(['account']);
    expect(await countTriggers(h, kind)).toBe(both / 2);
    await h.level('main', 1, (sql) => sql("INSERT INTO token_metadata VALUES (1, 'now immune')"));
    expect(await h.journal.entries('main')).toEqual([]);
    await journal.uninstall();
    expect(await countTriggers(h, kind)).toBe(0);
    await h.level('main', 1, (sql) => sql(insertAccount, [1, 'unjournaled', 1, null]));
    expect(await h.journal.entries('main')).toEqual([]);
  });

  it('refuses begin, end and revert outside a transaction', async () => {
    const h = await setup();
    const queryRunner = h.dataSource.createQueryRunner();
    try {
      await expect(h.journal.begin(queryRunner, 'main', 1)).rejects.toSatisfy((error) =>
        HookdexError.is(error, 'DATABASE'),
      );
      await expect(h.journal.end(queryRunner)).rejects.toThrow('needs an open transaction');
      await expect(h.journal.revert(queryRunner, 'main', 0)).rejects.toThrow('needs an open transaction');
    } finally {
      await queryRunner.release();
    }
  });

  it.runIf(kind === 'postgres')('refuses TRUNCATE inside a level, and allows it outside', async () => {
    const h = await setup();
    await h.exec("INSERT INTO account VALUES (1, 'one', 1, NULL)");
    await expect(h.level('main', 1, (sql) => sql('TRUNCATE account'))).rejects.toThrow('cannot be journaled');
    await h.exec('TRUNCATE account');
    expect(await h.query('SELECT * FROM account')).toEqual([]);
  });
});

async function countTriggers(harness: JournalHarness, kind: DatabaseKind): Promise<number> {
  const rows = await harness.query<{ count: string | number }>(
    kind === 'sqlite'
      ? "SELECT count(*) AS count FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'hookdex%'"
      : `SELECT count(*) AS count FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND t.tgname LIKE 'hookdex%'`,
    kind === 'sqlite' ? [] : [harness.schema],
  );
  return Number(rows[0]?.count);
}
