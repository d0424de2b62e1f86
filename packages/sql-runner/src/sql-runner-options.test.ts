import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_MEMORY, type TestDatabase } from './_test/databases.js';
import { createScriptDirectory } from './_test/script-directory.js';
import { dialectOfType } from './dialect.js';
import { InitializationRequiredError, SqlRunnerError, SqlScriptError } from './errors.js';
import { executeOnQueryRunner } from './execute/execute-on-query-runner.js';
import { type ScannedStatement, scanScript } from './scan/scan-script.js';
import { SqlRunner } from './sql-runner.js';

describe('SqlRunner options', () => {
  let database: TestDatabase;
  let scripts: Awaited<ReturnType<typeof createScriptDirectory>>;

  beforeAll(async () => {
    database = await SQLITE_MEMORY.open();
    scripts = await createScriptDirectory({ 'hook/a.sql': 'CREATE TABLE options_a (id integer)' });
  });
  afterAll(async () => {
    await database?.close();
    await scripts?.remove();
  });

  it('maps DataSource types to dialects and refuses the others', () => {
    expect(dialectOfType('postgres')).toBe('postgres');
    expect(dialectOfType('better-sqlite3')).toBe('sqlite');
    expect(dialectOfType('sqlite')).toBe('sqlite');
    expect(() => dialectOfType('mysql')).toThrow(/found type "mysql"/);
    const dataSource = { options: { type: 'mssql' } } as never;
    expect(() => new SqlRunner({ root: 'sql', dataSource })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_DIALECT' }),
    );
  });

  it('refuses a missing root, a missing DataSource and a non-boolean batch', () => {
    const dataSource = database.dataSource;
    expect(() => new SqlRunner({ root: '', dataSource })).toThrow(/expected options.root/);
    expect(() => new SqlRunner({ root: 'sql' } as never)).toThrow(/expected options.dataSource/);
    expect(() => new SqlRunner({ root: 'sql', dataSource, batch: 'yes' as never })).toThrow(/options.batch/);
  });

  it('refuses params that are not an object', async () => {
    const runner = new SqlRunner({ root: scripts.root, dataSource: database.dataSource });
    await expect(runner.executeSql('hook', [1] as never)).rejects.toThrow(/found an array/);
  });

  it('refuses to run on a DataSource that is not initialised', async () => {
    const dataSource = { options: { type: 'better-sqlite3' }, isInitialized: false } as never;
    const runner = new SqlRunner({ root: scripts.root, dataSource });
    await expect(runner.executeSql('hook')).rejects.toThrow(
      expect.objectContaining({ code: 'DATA_SOURCE_NOT_INITIALIZED' }),
    );
  });

  it('refuses a released QueryRunner and one of another dialect', async () => {
    const runner = new SqlRunner({ root: scripts.root, dataSource: database.dataSource });
    // NOTE: TypeORM's SQLite runners never mark themselves released (one shared connection), so the
    // flag is set by hand here; PostgreSQL runners set it in release().
    const released = { isReleased: true, connection: database.dataSource } as never;
    await expect(runner.executeSql('hook', {}, { queryRunner: released })).rejects.toThrow(
      /already released/,
    );
    const foreign = { isReleased: false, connection: { options: { type: 'postgres' } } } as never;
    await expect(runner.executeSql('hook', {}, { queryRunner: foreign })).rejects.toThrow(
      /belongs to a 'postgres'/,
    );
  });

  it("runs through TypeORM's query() where no fast path exists, with the same errors", async () => {
    const queryRunner = database.dataSource.createQueryRunner();
    const [create, insert, failing] = scanScript(
      'CREATE TABLE generic (v);\nINSERT INTO generic VALUES (:v);\n\nSELECT * FROM nope',
      { dialect: 'sqlite' },
    ) as [ScannedStatement, ScannedStatement, ScannedStatement];
    const file = 'generic.sql';
    try {
      await executeOnQueryRunner(queryRunner, [
        { file, statement: create, text: create.text, values: undefined },
        { file, statement: insert, text: 'INSERT INTO generic VALUES (?)', values: ['x'] },
      ]);
      expect(await queryRunner.query('SELECT v FROM generic')).toEqual([{ v: 'x' }]);
      const error = await executeOnQueryRunner(queryRunner, [
        { file, statement: failing, text: failing.text, values: undefined },
      ]).catch((thrown: unknown) => thrown);
      expect(SqlScriptError.is(error) && error.message).toContain(
        'Statement failed in generic.sql, statement 3 (line 4): no such table: nope',
      );
    } finally {
      await queryRunner.release();
    }
  });
});

describe('error classes', () => {
  it('recognise their instances through is(), also from another copy of the package', () => {
    const scriptError = new SqlScriptError('m', {
      code: 'STATEMENT_FAILED',
      location: { file: 'f', statement: 1, line: 1 },
      excerpt: 'x',
    });
    const initialization = new InitializationRequiredError('m', { path: 'p', searched: ['p'] });
    const base = new SqlRunnerError('INVALID_NAME', 'm');
    expect(
      SqlRunnerError.is(scriptError) && SqlRunnerError.is(initialization) && SqlRunnerError.is(base),
    ).toBe(true);
    expect(SqlScriptError.is(scriptError)).toBe(true);
    expect(SqlScriptError.is(base) || SqlScriptError.is(initialization)).toBe(false);
    expect(InitializationRequiredError.is(initialization)).toBe(true);
    expect(InitializationRequiredError.is(scriptError)).toBe(false);
    const copy = { [Symbol.for('hookdex.sql-runner.SqlRunnerError')]: true };
    expect(SqlRunnerError.is(copy)).toBe(true);
    expect(SqlRunnerError.is(new Error('plain')) || SqlRunnerError.is(null)).toBe(false);
    expect(initialization.code).toBe('INITIALIZATION_REQUIRED');
  });
});
