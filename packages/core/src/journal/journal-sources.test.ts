import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqlRunner } from '@hookdex/sql-runner';
import { EntitySchema } from 'typeorm';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASES } from '../_test/project.js';
import { checkLevels, createHarness, type JournalHarness, type Sql } from './_fixtures/journal-harness.js';

interface Wallet {
  id: number;
  address: string;
  balance: string;
  active: boolean;
}
const WalletEntity = new EntitySchema<Wallet>({
  name: 'Wallet',
  tableName: 'wallet',
  columns: {
    id: { type: 'integer', primary: true },
    address: { type: 'varchar', length: 64 },
    balance: { type: 'bigint' },
    active: { type: 'boolean', default: true },
  },
});

const NAMED = [
  'CREATE TABLE named (id integer PRIMARY KEY, name text NOT NULL UNIQUE, value integer NOT NULL)',
];
const SQL_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '_fixtures', 'sql');

describe.each(DATABASES)('Journal write sources on $name', ({ kind }) => {
  let harness: JournalHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });
  const setup = async (options: { entities?: EntitySchema[] } = {}) => {
    harness = await createHarness(kind, { ddl: { sqlite: NAMED, postgres: NAMED }, ...options });
    await harness.exec("INSERT INTO named VALUES (1, 'a', 1), (2, 'b', 2)");
    return harness;
  };

  it('journals the entity manager, the query builder and repositories', async () => {
    const h = await setup({ entities: [WalletEntity] });
    expect(await h.journal.install()).toEqual(['named', 'wallet']);
    await checkLevels(h, [
      async (_sql, { manager }) => {
        await manager.save(WalletEntity, [
          { id: 1, address: 'tz1a', balance: '9007199254740993', active: true },
          { id: 2, address: 'tz1b', balance: '5', active: false },
        ]);
        await manager.insert(WalletEntity, { id: 3, address: 'tz1c', balance: '0', active: true });
      },
      async (_sql, { manager }) => {
        await manager
          .createQueryBuilder()
          .update(WalletEntity)
          .set({ balance: () => 'balance * 2' })
          .where('id IN (:...ids)', { ids: [1, 2] })
          .execute();
        await manager.save(WalletEntity, { id: 3, address: 'tz1c-renamed', balance: '7', active: false });
      },
      async (_sql, { manager }) => {
        await manager.getRepository(WalletEntity).delete({ id: 1 });
        await manager.upsert(WalletEntity, { id: 2, address: 'tz1b', balance: '1', active: true }, ['id']);
        await manager.upsert(WalletEntity, { id: 4, address: 'tz1d', balance: '4', active: true }, ['id']);
      },
      (_sql, { manager }) => manager.query('UPDATE wallet SET address = upper(address)'),
    ]);
  });

  it('journals SQL scripts run on the level’s connection', async () => {
    const h = await setup();
    const scripts = new SqlRunner({ root: SQL_ROOT, dataSource: h.dataSource });
    await checkLevels(h, [
      (_sql, queryRunner) =>
        scripts.executeSql(
          'journal_script',
          { delta: 10, name: 'a', id: 3, label: 'script 3' },
          { queryRunner },
        ),
      (_sql, queryRunner) =>
        scripts.executeSql(
          'journal_script',
          { delta: 100, name: 'b', id: 4, label: 'script 4' },
          { queryRunner },
        ),
    ]);
  });

  it('journals upserts, and rows replaced or ignored on a conflict', async () => {
    const h = await setup();
    const levels: Array<(sql: Sql) => Promise<unknown>> = [
      async (sql) => {
        await sql(
          "INSERT INTO named VALUES (3, 'a', 10) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        );
        await sql("INSERT INTO named VALUES (2, 'b', 99) ON CONFLICT DO NOTHING");
        await sql("INSERT INTO named VALUES (5, 'e', 5) ON CONFLICT (id) DO UPDATE SET name = excluded.name");
      },
    ];
    if (kind === 'sqlite') {
      levels.push(async (sql) => {
        await sql("INSERT OR REPLACE INTO named VALUES (4, 'b', 4)");
        await sql("UPDATE OR REPLACE named SET name = 'a' WHERE id = 4");
        await sql("INSERT OR IGNORE INTO named VALUES (5, 'zz', 0)");
        await sql("REPLACE INTO named VALUES (5, 'e', 50)");
      });
    } else {
      levels.push((sql) =>
        sql(`MERGE INTO named AS target USING (VALUES (5, 'f', 6), (7, 'g', 7)) AS source (id, name, value)
             ON target.id = source.id
             WHEN MATCHED THEN UPDATE SET name = source.name, value = source.value
             WHEN NOT MATCHED THEN INSERT VALUES (source.id, source.name, source.value)`),
      );
    }
    levels.push((sql) => sql('DELETE FROM named'));
    const snapshots = await checkLevels(h, levels);
    if (kind === 'sqlite') {
      expect(snapshots[2]?.named?.text).toEqual(["4|'a'|4", "5|'e'|50"]);
    }
  });

  it('reaches the old state even when journaled rows were changed outside the journal', async () => {
    const h = await setup();
    const start = await h.snapshot();
    await h.level('main', 1, async (sql) => {
      await sql("INSERT INTO named VALUES (3, 'c', 3)");
      await sql('UPDATE named SET value = 20 WHERE id = 2');
      await sql('DELETE FROM named WHERE id = 1');
    });
    await h.exec('DELETE FROM named WHERE id IN (2, 3)', "INSERT INTO named VALUES (1, 'a', 111)");
    expect(await h.revert('main', 0)).toBe(3);
    expect(await h.snapshot()).toEqual(start);
  });

  it('names the journal row a revert failed on', async () => {
    const h = await setup();
    await h.level('main', 1, (sql) => sql('DELETE FROM named WHERE id = 1'));
    await h.exec("INSERT INTO named VALUES (9, 'a', 9)");
    await expect(h.revert('main', 0)).rejects.toThrow(
      /Could not revert journal row \d+ of index main: the DELETE of table named at level 1/,
    );
    expect(await h.journal.entries('main')).toHaveLength(1);
  });
});
