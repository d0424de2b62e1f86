import { describe, expect, it, vi } from 'vitest';
import { DATABASES } from '../_test/project.js';
import { checkLevels, type JournalHarness, tablesHarness } from './_fixtures/journal-harness.js';

// NOTE: the PostgreSQL reverter queues rows of tables without triggers, rules or referential
// actions and reverts them set-based; these cases break a queue that mixes up rows of one key,
// misses a primary key change, loses a column's kind of value, or names the wrong row on failure.
describe.runIf(DATABASES.some((database) => database.kind === 'postgres'))(
  'PostgreSQL journal reverts',
  () => {
    const setup = tablesHarness('postgres');

    /** Reverts to `toLevel` in a transaction of its own, counting the statements it sends. */
    const countedRevert = (h: JournalHarness, toLevel: number) =>
      h.transaction(async (queryRunner) => {
        const query = vi.spyOn(queryRunner, 'query');
        const reverted = await h.journal.revert(queryRunner, 'main', toLevel);
        return { reverted, statements: query.mock.calls.length };
      });

    it('reverts thousands of rows of two tables, alternating, in a few statements', async () => {
      const h = await setup(
        'CREATE TABLE transfer (id text PRIMARY KEY, amount integer NOT NULL)',
        'CREATE TABLE holder (address text PRIMARY KEY, balance integer NOT NULL)',
      );
      await h.exec("INSERT INTO holder VALUES ('a0', 0)");
      const start = await h.snapshot();
      for (let level = 1; level <= 10; level++) {
        await h.level('main', level, (sql) =>
          sql(`DO $$ BEGIN FOR i IN 0..99 LOOP
                 INSERT INTO transfer VALUES ('${level}-' || i, i);
                 INSERT INTO holder VALUES ('a' || (${level} * 7 + i) % 100, i + 1)
                   ON CONFLICT (address) DO UPDATE SET balance = holder.balance + excluded.balance;
               END LOOP; END $$`),
        );
      }
      const { reverted, statements } = await countedRevert(h, 0);
      expect(reverted).toBe(2000);
      expect(statements).toBeLessThan(reverted / 20);
      expect(await h.snapshot()).toEqual(start);
    });

    it('reverts a key repeated within a run of rows, and rows of one key updated again and again', async () => {
      const h = await setup(
        'CREATE TABLE supply (token text PRIMARY KEY, supply bigint NOT NULL)',
        'CREATE TABLE mint (id integer PRIMARY KEY, token text NOT NULL)',
      );
      await h.exec("INSERT INTO supply VALUES ('a', 1), ('b', 2), ('c', 3)");
      const double = async (sql: (text: string) => Promise<unknown>) => {
        for (const id of [1, 2, 3]) {
          await sql('UPDATE supply SET supply = supply * 2');
          await sql(`INSERT INTO mint SELECT coalesce(max(id), 0) + 1, 'x${id}' FROM mint`);
        }
      };
      await checkLevels(h, [
        double,
        async (sql) => {
          await double(sql);
          await sql("DELETE FROM supply WHERE token = 'b'");
          await sql("INSERT INTO supply VALUES ('b', 20)");
          await sql("UPDATE supply SET supply = 21 WHERE token = 'b'");
        },
        (sql) => sql('DELETE FROM mint WHERE id % 2 = 0'),
      ]);
    });

    it('reverts a primary key changed in the middle of a run of updates', async () => {
      const h = await setup(
        'CREATE TABLE balance (token text, account text, amount bigint NOT NULL, PRIMARY KEY (token, account))',
      );
      await h.exec("INSERT INTO balance VALUES ('t', 'a1', 1), ('t', 'a2', 2), ('t', 'a3', 3)");
      await checkLevels(h, [
        async (sql) => {
          await sql('UPDATE balance SET amount = amount + 10');
          await sql("UPDATE balance SET account = 'a4' WHERE account = 'a2'");
          await sql('UPDATE balance SET amount = amount + 100');
          await sql("UPDATE balance SET account = 'a2', amount = 0 WHERE account = 'a1'");
        },
        async (sql) => {
          await sql("UPDATE balance SET account = 'a1' WHERE account = 'a4'");
          await sql('UPDATE balance SET amount = -amount');
        },
      ]);
    });

    it('tells apart big integer keys that JSON numbers would round to one', async () => {
      const h = await setup('CREATE TABLE big (id bigint PRIMARY KEY, value integer NOT NULL)');
      await h.exec('INSERT INTO big VALUES (9007199254740992, 1), (1, 1)');
      await checkLevels(h, [
        (sql) => sql('UPDATE big SET id = 9007199254740993 WHERE id = 9007199254740992'),
        (sql) => sql('UPDATE big SET value = 3'),
      ]);
    });

    it('runs queued rows before a row of a table without a primary key or with triggers', async () => {
      const h = await setup(
        'CREATE TABLE supply (token text PRIMARY KEY, supply bigint NOT NULL)',
        'CREATE TABLE event_log (token text, note text)',
        'CREATE TABLE audited (id integer PRIMARY KEY, value text)',
        'CREATE TABLE audit (operation text PRIMARY KEY, total bigint NOT NULL)',
        `CREATE FUNCTION audit_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
           INSERT INTO audit SELECT TG_OP, coalesce(sum(supply), 0) FROM supply
             ON CONFLICT (operation) DO UPDATE SET total = excluded.total;
           RETURN NULL;
         END $$`,
        'CREATE TRIGGER audited_write AFTER INSERT OR UPDATE OR DELETE ON audited FOR EACH ROW EXECUTE FUNCTION audit_write()',
      );
      await h.exec(
        "INSERT INTO event_log VALUES ('x', 'dup'), ('x', 'dup')",
        "INSERT INTO audited VALUES (1, 'a')",
      );
      const start = await h.snapshot();
      await h.level('main', 1, async (sql) => {
        await sql("INSERT INTO supply VALUES ('a', 1), ('b', 2)");
        await sql("INSERT INTO event_log VALUES ('a', NULL), ('x', 'dup')");
        await sql("UPDATE supply SET supply = 3 WHERE token = 'b'");
        await sql(
          "DELETE FROM event_log WHERE ctid = (SELECT ctid FROM event_log WHERE note = 'dup' LIMIT 1)",
        );
        await sql("INSERT INTO audited VALUES (2, 'c')");
        await sql("UPDATE supply SET supply = 10 WHERE token = 'a'");
        await sql("UPDATE event_log SET note = 'set' WHERE token = 'a'");
        await sql("UPDATE supply SET supply = 20 WHERE token = 'b'");
      });
      await h.revert('main', 0);
      // NOTE: deleting audited row 2 fires its trigger (unjournaled) with the supply reverted as far
      // as the rows newer than that insert: a = 1, b = 3.
      expect(await h.query('SELECT operation, total FROM audit ORDER BY operation')).toEqual([
        { operation: 'DELETE', total: '4' },
        { operation: 'INSERT', total: '0' },
      ]);
      expect({ ...(await h.snapshot()), audit: undefined }).toEqual({ ...start, audit: undefined });
    });

    it('reverts identity, generated and JSON columns of queued rows, JSON null included', async () => {
      const h = await setup(
        'CREATE TABLE tagged (id integer PRIMARY KEY, serial_no integer GENERATED ALWAYS AS IDENTITY, ' +
          'price integer, doubled integer GENERATED ALWAYS AS (price * 2) STORED, meta jsonb, raw json)',
      );
      await h.exec(
        `INSERT INTO tagged (id, price, meta, raw) VALUES (1, 1, 'null', 'null'), (2, 2, NULL, NULL), (3, 3, '{}', '[1, 2]')`,
      );
      await checkLevels(h, [
        async (sql) => {
          await sql(
            `INSERT INTO tagged (id, price, meta, raw) VALUES (4, 4, 'null', NULL), (5, 5, NULL, 'null')`,
          );
          await sql('UPDATE tagged SET meta = \'{"k": 1}\', price = price + 10 WHERE id IN (1, 2)');
        },
        async (sql) => {
          await sql('UPDATE tagged SET raw = \'{ "spaced" : true }\', price = NULL');
          await sql('DELETE FROM tagged WHERE id IN (1, 4, 5)');
        },
      ]);
    });

    it('names the queued row a revert failed on', async () => {
      const h = await setup(
        'CREATE TABLE named (id integer PRIMARY KEY, name text NOT NULL UNIQUE, value integer NOT NULL)',
        'CREATE TABLE other (id integer PRIMARY KEY)',
      );
      await h.exec("INSERT INTO named VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)");
      await h.level('main', 1, async (sql) => {
        await sql('INSERT INTO other VALUES (1)');
        await sql('DELETE FROM named WHERE id = 3');
        await sql('DELETE FROM named WHERE id = 1');
        await sql('DELETE FROM named WHERE id = 2');
        await sql('INSERT INTO other VALUES (2)');
      });
      await h.exec("INSERT INTO named VALUES (9, 'a', 9)");
      const entries = await h.journal.entries('main');
      const failing = entries.find((entry) => entry.table === 'named' && entry.primaryKey.id === '1');
      await expect(h.revert('main', 0)).rejects.toThrow(
        new RegExp(`Could not revert journal row ${failing?.id} of index main: the DELETE of table named`),
      );
      expect(await h.journal.entries('main')).toEqual(entries);
    });
  },
);
