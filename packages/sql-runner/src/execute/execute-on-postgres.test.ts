import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, POSTGRES, type TestDatabase } from '../_test/databases.js';
import { createScriptDirectory } from '../_test/script-directory.js';
import { SqlScriptError } from '../errors.js';
import { scanScript } from '../scan/scan-script.js';
import { SqlRunner } from '../sql-runner.js';
import { isBatchable } from './execute-on-postgres.js';
import type { PreparedStatement } from './prepared-statement.js';

const prepared = (sql: string, values?: unknown[]): PreparedStatement => {
  const [statement] = scanScript(sql, { dialect: 'postgres' });
  if (statement === undefined) throw new Error(`no statement in ${sql}`);
  return { file: 'f.sql', statement, text: statement.text, values };
};

describe('isBatchable', () => {
  it('keeps parameterised statements, transaction control and non-transactional commands out of batches', () => {
    expect(isBatchable(prepared("INSERT INTO t VALUES (1, 'database')"))).toBe(true);
    expect(isBatchable(prepared('CREATE OR REPLACE VIEW v AS SELECT 1'))).toBe(true);
    expect(isBatchable(prepared('INSERT INTO t VALUES ($1)', [1]))).toBe(false);
    for (const sql of [
      'BEGIN',
      'commit',
      'LOCK TABLE t',
      'SET LOCAL x = 1',
      'VACUUM t',
      'DO $$ BEGIN END $$',
    ]) {
      expect(isBatchable(prepared(sql)), sql).toBe(false);
    }
    expect(isBatchable(prepared('CREATE UNIQUE INDEX CONCURRENTLY i ON t (a)'))).toBe(false);
    expect(isBatchable(prepared('CREATE DATABASE x'))).toBe(false);
  });
});

describe.skipIf(DATABASE_URL === undefined)('PostgreSQL batches (DATABASE_URL)', () => {
  let database: TestDatabase;
  let scripts: Awaited<ReturnType<typeof createScriptDirectory>>;
  const rows = <Row>(sql: string): Promise<Row[]> => database.dataSource.query(sql);
  const failure = async (run: Promise<unknown>): Promise<SqlScriptError> => {
    const error = await run.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    if (!SqlScriptError.is(error)) throw new Error(`expected a SqlScriptError, got ${String(error)}`);
    return error;
  };
  const fiveStatements = (table: string) =>
    [
      `CREATE TABLE ${table} (id integer PRIMARY KEY)`,
      `INSERT INTO ${table} VALUES (1)`,
      `INSERT INTO ${table} VALUES (2)`,
      `INSERT INTO ${table} VALUES (1)`,
      `INSERT INTO ${table} VALUES (3)`,
    ].join(';\n');

  beforeAll(async () => {
    database = await POSTGRES.open();
    scripts = await createScriptDirectory({
      'autocommit/a.sql': fiveStatements('batch_autocommit'),
      'unbatched/a.sql': fiveStatements('batch_off'),
      'in_tx/a.sql': fiveStatements('batch_in_tx'),
      'ok_in_tx/a.sql':
        'CREATE TABLE batch_ok (id integer);\nINSERT INTO batch_ok VALUES (1);\nINSERT INTO batch_ok VALUES (2)',
      'lock/a.sql': 'CREATE TABLE batch_lock (id integer);\nLOCK TABLE batch_lock;\nSELECT 1',
      'position/a.sql': 'SELECT 1;\n\nSELECT 1,\n  2,\n  no_such_column\nFROM (SELECT 1) AS s',
    });
  });
  afterAll(async () => {
    await database?.close();
    await scripts?.remove();
  });

  it('re-runs a failed batch one by one in autocommit: the statements before the failure stay applied', async () => {
    const runner = new SqlRunner({ root: scripts.root, dataSource: database.dataSource });
    const error = await failure(runner.executeSql('autocommit'));
    expect(error).toMatchObject({ statement: 4, line: 4, databaseCode: '23505' });
    expect(error.message).toContain('Detail: Key (id)=(1) already exists.');
    expect(await rows('SELECT id FROM batch_autocommit ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('gives the same result with batch: false', async () => {
    const runner = new SqlRunner({ root: scripts.root, dataSource: database.dataSource, batch: false });
    const error = await failure(runner.executeSql('unbatched'));
    expect(error).toMatchObject({ statement: 4, line: 4 });
    expect(await rows('SELECT id FROM batch_off ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('inside a transaction, rolls a failed batch back to its savepoint and names the failing statement', async () => {
    const runner = new SqlRunner({ root: scripts.root, dataSource: database.dataSource });
    const queryRunner = database.dataSource.createQueryRunner();
    try {
      await queryRunner.startTransaction();
      const error = await failure(runner.executeSql('in_tx', {}, { queryRunner }));
      expect(error).toMatchObject({ statement: 4, line: 4 });
      await queryRunner.rollbackTransaction();
    } finally {
      await queryRunner.release();
    }
    expect(await rows("SELECT 1 FROM pg_tables WHERE tablename = 'batch_in_tx'")).toEqual([]);
  });

  it('releases its savepoint after a successful batch, so the caller can commit', async () => {
    const runner = new SqlRunner({ root: scripts.root, dataSource: database.dataSource });
    const queryRunner = database.dataSource.createQueryRunner();
    try {
      await queryRunner.startTransaction();
      await runner.executeSql('ok_in_tx', {}, { queryRunner });
      await queryRunner.query('INSERT INTO batch_ok VALUES (3)');
      await queryRunner.commitTransaction();
    } finally {
      await queryRunner.release();
    }
    expect(await rows('SELECT id FROM batch_ok ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('runs LOCK alone, so it fails outside a transaction exactly as it would by hand', async () => {
    const runner = new SqlRunner({ root: scripts.root, dataSource: database.dataSource });
    const error = await failure(runner.executeSql('lock'));
    expect(error).toMatchObject({ statement: 2, line: 2 });
    expect(error.databaseMessage).toMatch(/LOCK TABLE can only be used in transaction blocks/);
  });

  it("turns the server's error position into the file line", async () => {
    const runner = new SqlRunner({ root: scripts.root, dataSource: database.dataSource });
    const error = await failure(runner.executeSql('position'));
    expect(error).toMatchObject({ statement: 2, line: 3 });
    expect(error.message).toContain(
      `${path.join(scripts.root, 'position/a.sql')}, statement 2 (line 3): column "no_such_column" does not exist (at line 5)`,
    );
  });
});
