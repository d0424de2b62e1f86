import path from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusOf, corpusScript } from './_test/corpus.js';
import {
  DATABASE_URL,
  type DatabaseTarget,
  POSTGRES,
  SQLITE_TARGETS,
  type TestDatabase,
} from './_test/databases.js';
import { createScriptDirectory } from './_test/script-directory.js';
import type { Dialect } from './dialect.js';
import { InitializationRequiredError, SqlRunnerError, SqlScriptError } from './errors.js';
import { SqlRunner } from './sql-runner.js';

const HOSTILE_VALUES: readonly string[] = [
  "'; DROP TABLE hostile; --",
  "' OR '1'='1",
  `"double" 'single' \`back\` [bracket]`,
  String.raw`\ backslash \' \" \\`,
  '$$ dollar $$ $1 $tag$ :other ? @x',
  '{"json": "{braces} and :colon"}; SELECT 1;',
  '*/ -- /* ;',
  'ünïcødé 😀 \u2028',
  `${"'".repeat(1000)}${'x;'.repeat(500_000)}`,
];

function scriptsFor(dialect: Dialect): Record<string, string> {
  const postgres = dialect === 'postgres';
  return {
    'corpus/01_corpus.sql': corpusScript(dialect),
    'empty/00_empty.sql': '',
    'empty/01_comments.sql': '-- nothing here;\n/* ; */\n;\n',
    'empty/02_real.sql': 'CREATE TABLE empty_real (a integer)',
    'empty/03_other.txt': 'CREATE TABLE never (a integer)',
    'hostile/00_schema.sql': `CREATE TABLE hostile (id integer PRIMARY KEY, value text, bytes ${postgres ? 'bytea' : 'BLOB'})`,
    'hostile_insert/insert.sql': 'INSERT INTO hostile (id, value, bytes) VALUES (:id, :value, :bytes)',
    'typed/00_schema.sql': postgres
      ? 'CREATE TABLE typed (s text, n double precision, b boolean, big bigint, d timestamptz, dec numeric, bin bytea, arr integer[], absent text)'
      : 'CREATE TABLE typed (s TEXT, n REAL, b INTEGER, big INTEGER, d TEXT, dec TEXT, bin BLOB, absent TEXT)',
    'typed_insert/insert.sql': postgres
      ? 'INSERT INTO typed VALUES (:s, :n, :b, :big, :d, :dec, :bin, :arr, :absent)'
      : 'INSERT INTO typed VALUES (:s, :n, :b, :big, :d, :dec, :bin, :absent)',
    'tx/10_create.sql':
      'CREATE TABLE tx_items (id integer PRIMARY KEY, name text);\nINSERT INTO tx_items VALUES (1, :name);',
    'tx/20_more.sql': "INSERT INTO tx_items VALUES (2, 'two');\nINSERT INTO tx_items VALUES (3, 'three');",
    'tx_fail/10_fail.sql':
      'CREATE TABLE tx_fail (id integer);\nINSERT INTO tx_fail VALUES (1);\nINSERT INTO tx_fail VALUES (2);\nINSERT INTO no_such_table VALUES (3);',
    'partial/10_partial.sql': [
      'CREATE TABLE partial (id integer);',
      'INSERT INTO partial VALUES (1);',
      'INSERT INTO partial VALUES (2);',
      '',
      '-- the fourth statement fails',
      'INSERT INTO no_such_table VALUES (3);',
      'INSERT INTO partial VALUES (4);',
    ].join('\n'),
    'syntax/01_ok.sql': 'CREATE TABLE syntax_first (a integer)',
    'syntax/02_bad.sql': "SELECT 1;\n\nSELECT 'never closed",
    'missing/01_ok.sql': 'CREATE TABLE missing_first (a integer)',
    'missing/02_uses.sql': 'SELECT 1;\n\nSELECT :present, :absent, :other',
    'invalid/01_ok.sql': 'CREATE TABLE invalid_first (a integer)',
    'invalid/02_uses.sql': 'SELECT 1;\nSELECT :value',
    'native/01.sql': postgres ? 'SELECT 1;\nSELECT $1, :a' : 'SELECT 1;\nSELECT ?',
    'query/multi.sql': 'SELECT 1;\nSELECT 2',
    'query/one.sql': 'SELECT :a AS a, :b AS b',
    'query/returning.sql': 'INSERT INTO hostile (id, value) VALUES (:id, :value) RETURNING id, value',
    'query/fails.sql': '-- a query\nSELECT * FROM no_such_table',
    'two/a.sql': 'SELECT 1',
    'two/b.sql': 'SELECT 2',
  };
}

function defineRunnerSuite(target: DatabaseTarget): void {
  describe(`SqlRunner on ${target.name}`, () => {
    let database: TestDatabase;
    let scripts: Awaited<ReturnType<typeof createScriptDirectory>>;
    let runner: SqlRunner;
    const rows = <Row>(sql: string): Promise<Row[]> => database.dataSource.query(sql);
    const tableExists = async (table: string): Promise<boolean> => {
      const found = await rows(
        target.dialect === 'postgres'
          ? `SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '${table}'`
          : `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${table}'`,
      );
      return found.length > 0;
    };
    const failure = async (run: Promise<unknown>): Promise<SqlRunnerError> => {
      const error = await run.then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      if (!SqlRunnerError.is(error)) throw new Error(`expected a SqlRunnerError, got ${String(error)}`);
      return error;
    };
    const at = (file: string) => path.join(scripts.root, file);

    beforeAll(async () => {
      database = await target.open();
      scripts = await createScriptDirectory(scriptsFor(target.dialect));
      runner = new SqlRunner({ root: scripts.root, dataSource: database.dataSource });
      await runner.executeSql('hostile');
      await runner.executeSql('typed');
    });
    afterAll(async () => {
      await database?.close();
      await scripts?.remove();
    });

    it('runs the corpus of tricky statements', async () => {
      expect(await runner.executeSql('corpus')).toEqual({
        files: ['corpus/01_corpus.sql'],
        statements: corpusOf(target.dialect).length,
      });
      if (target.dialect === 'postgres') {
        expect(await rows('SELECT note FROM events ORDER BY id')).toEqual([
          { note: 'added; by function' },
          { note: String.raw`it's; escaped \ backslash` },
          { note: "plain 'quoted'; :notaparam $$ not dollars $$" },
          { note: 'added; by function' },
        ]);
        expect(await rows('SELECT kind, n FROM event_kinds ORDER BY kind')).toEqual([
          { kind: 'a', n: 1 },
          { kind: 'b', n: 1 },
          { kind: 'c', n: 1 },
          { kind: 'do', n: 1 },
        ]);
        expect(await rows('SELECT n FROM event_totals')).toEqual([{ n: 3 }]);
        expect(await rows('SELECT add_atomic(2, 3) AS sum')).toEqual([{ sum: 5 }]);
      } else {
        expect(await rows('SELECT id, note FROM events ORDER BY id')).toEqual([
          { id: 1, note: 'set; by trigger' },
          { id: 2, note: `it's "quoted"; :notaparam` },
        ]);
        expect(await rows('SELECT event_id, kind FROM audit ORDER BY event_id')).toEqual([
          { event_id: 1, kind: 'a' },
          { event_id: 2, kind: 'none' },
        ]);
        expect(await rows('SELECT kind, n FROM event_kinds ORDER BY kind')).toEqual([
          { kind: null, n: 1 },
          { kind: 'a', n: 1 },
        ]);
      }
      expect(await rows('SELECT * FROM "weird;name"')).toHaveLength(1);
    });

    it('skips empty and comment-only files and other extensions, in listScripts and executeSql', async () => {
      expect(await runner.listScripts('empty')).toEqual(['empty/02_real.sql']);
      expect(await runner.executeSql('empty')).toEqual({ files: ['empty/02_real.sql'], statements: 1 });
      expect(await tableExists('never')).toBe(false);
      expect(await runner.executeSql('empty/00_empty.sql')).toEqual({ files: [], statements: 0 });
    });

    it('stores hostile parameter values verbatim and runs no extra statement', async () => {
      let id = 100;
      for (const value of HOSTILE_VALUES) {
        const bytes = Buffer.from([0, 39, 59, 0, 92, 255]);
        expect(await runner.executeSql('hostile_insert', { id: ++id, value, bytes })).toEqual({
          files: ['hostile_insert/insert.sql'],
          statements: 1,
        });
        const [stored] = await rows<{ value: string; bytes: Buffer }>(
          `SELECT value, bytes FROM hostile WHERE id = ${id}`,
        );
        expect(stored?.value === value, `value ${JSON.stringify(value.slice(0, 40))}`).toBe(true);
        expect(Buffer.compare(Buffer.from(stored?.bytes ?? []), bytes)).toBe(0);
      }
      expect(await tableExists('hostile')).toBe(true);
      expect(await rows('SELECT count(*) AS n FROM hostile WHERE id > 100')).toEqual([
        { n: target.dialect === 'postgres' ? String(HOSTILE_VALUES.length) : HOSTILE_VALUES.length },
      ]);
    });

    it(
      target.dialect === 'postgres'
        ? 'refuses NUL in a PostgreSQL string before running anything, and stores it through a Buffer'
        : 'stores NUL characters in SQLite strings verbatim',
      async () => {
        const value = 'before\0after';
        if (target.dialect === 'postgres') {
          const error = await failure(runner.executeSql('hostile_insert', { id: 90, value, bytes: null }));
          expect(error.code).toBe('INVALID_PARAMETER');
          expect(error.message).toContain(`${at('hostile_insert/insert.sql')}, statement 1 (line 1)`);
          expect(await rows('SELECT * FROM hostile WHERE id = 90')).toEqual([]);
        } else {
          await runner.executeSql('hostile_insert', { id: 90, value, bytes: null });
          expect(await rows('SELECT value FROM hostile WHERE id = 90')).toEqual([{ value }]);
        }
        await runner.executeSql('hostile_insert', { id: 91, value: 'bytes', bytes: Buffer.from(value) });
        const [stored] = await rows<{ bytes: Buffer }>('SELECT bytes FROM hostile WHERE id = 91');
        expect(Buffer.from(stored?.bytes ?? []).toString()).toBe(value);
      },
    );

    it('binds every supported value type', async () => {
      const date = new Date('2024-02-29T23:59:58.123Z');
      const values = {
        s: 'text',
        n: 1.5,
        b: true,
        big: 2n ** 53n + 1n,
        d: date,
        dec: new Decimal('12345678901234567890.000000001'),
        bin: Buffer.from([1, 2, 3]),
        absent: null,
        ...(target.dialect === 'postgres' ? { arr: [1, 2, 3] } : {}),
      };
      await runner.executeSql('typed_insert', values);
      const [row] = await rows<Record<string, unknown>>('SELECT * FROM typed');
      if (target.dialect === 'postgres') {
        expect(row).toMatchObject({ s: 'text', n: 1.5, b: true, big: '9007199254740993', absent: null });
        expect(row?.d).toEqual(date);
        expect(row?.dec).toBe('12345678901234567890.000000001');
        expect(row?.arr).toEqual([1, 2, 3]);
      } else {
        expect(row).toMatchObject({ s: 'text', n: 1.5, b: 1, d: date.toISOString(), absent: null });
        expect(row?.dec).toBe('12345678901234567890.000000001');
        const [big] = await rows<{ big: string }>('SELECT CAST(big AS TEXT) AS big FROM typed');
        expect(big?.big).toBe('9007199254740993');
      }
      expect(Buffer.from(row?.bin as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
    });

    it('runs inside the caller transaction: after a rollback nothing the scripts did remains', async () => {
      const queryRunner = database.dataSource.createQueryRunner();
      try {
        await queryRunner.startTransaction();
        expect(await runner.executeSql('tx', { name: 'one' }, { queryRunner })).toEqual({
          files: ['tx/10_create.sql', 'tx/20_more.sql'],
          statements: 4,
        });
        expect(await queryRunner.query('SELECT count(*) AS n FROM tx_items')).toEqual([
          { n: target.dialect === 'postgres' ? '3' : 3 },
        ]);
        const inside = await runner.executeSqlQuery('query/one.sql', { a: 1, b: 'x' }, { queryRunner });
        expect(inside).toHaveLength(1);
        await queryRunner.rollbackTransaction();
      } finally {
        await queryRunner.release();
      }
      expect(await tableExists('tx_items')).toBe(false);
    });

    it('leaves nothing of a failed script once the caller rolls its transaction back', async () => {
      const queryRunner = database.dataSource.createQueryRunner();
      try {
        await queryRunner.startTransaction();
        const error = await failure(runner.executeSql('tx_fail', {}, { queryRunner }));
        expect(SqlScriptError.is(error) && error.statement).toBe(4);
        await queryRunner.rollbackTransaction();
      } finally {
        await queryRunner.release();
      }
      expect(await tableExists('tx_fail')).toBe(false);
    });

    it('without a transaction, keeps the statements before the failing one and names it', async () => {
      const error = await failure(runner.executeSql('partial'));
      expect(SqlScriptError.is(error)).toBe(true);
      const scriptError = error as SqlScriptError;
      expect(scriptError).toMatchObject({
        code: 'STATEMENT_FAILED',
        file: at('partial/10_partial.sql'),
        statement: 4,
        line: 6,
        excerpt: 'INSERT INTO no_such_table VALUES (3)',
      });
      expect(scriptError.message).toContain(
        `Statement failed in ${at('partial/10_partial.sql')}, statement 4 (line 6)`,
      );
      expect(scriptError.databaseMessage).toMatch(/no_such_table/);
      expect(scriptError.message).toContain(scriptError.databaseMessage);
      expect(scriptError.cause).toBeInstanceOf(Error);
      expect(await rows('SELECT id FROM partial ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    });

    it('reports an unterminated string with file, statement and line before running anything', async () => {
      const error = await failure(runner.executeSql('syntax'));
      expect(error.code).toBe('SYNTAX_ERROR');
      expect(error.message).toContain(`${at('syntax/02_bad.sql')}, statement 2 (line 3)`);
      expect(await tableExists('syntax_first')).toBe(false);
    });

    it('reports missing parameters with file, statement and line before running anything', async () => {
      const error = await failure(runner.executeSql('missing', { present: 1 }));
      expect(error.code).toBe('MISSING_PARAMETER');
      expect(error.parameters).toEqual(['absent', 'other']);
      expect(error.location).toEqual({ file: at('missing/02_uses.sql'), statement: 2, line: 3 });
      expect(error.message).toContain(`:absent (${at('missing/02_uses.sql')}, statement 2 (line 3))`);
      expect(await tableExists('missing_first')).toBe(false);
    });

    it('reports an unsupported value with file, statement and line before running anything', async () => {
      const error = await failure(runner.executeSql('invalid', { value: { not: 'supported' } as never }));
      expect(error.code).toBe('INVALID_PARAMETER');
      expect(error.message).toContain(
        `Parameter :value in ${at('invalid/02_uses.sql')}, statement 2 (line 2)`,
      );
      expect(await tableExists('invalid_first')).toBe(false);
    });

    it('reports a driver-native placeholder with file, statement and line', async () => {
      const error = await failure(runner.executeSql('native', { a: 1 }));
      expect(error.code).toBe('INVALID_PLACEHOLDER');
      expect(error.message).toContain(`${at('native/01.sql')}, statement 2 (line 2)`);
    });

    it('returns the rows of a query file, with bound parameters and RETURNING', async () => {
      expect(await runner.executeSqlQuery('query/one.sql', { a: 'a', b: 'b' })).toEqual([{ a: 'a', b: 'b' }]);
      expect(await runner.executeSqlQuery('query/returning.sql', { id: 7, value: "it's" })).toEqual([
        { id: 7, value: "it's" },
      ]);
    });

    it('refuses executeSqlQuery on anything but one file with one statement', async () => {
      const multi = await failure(runner.executeSqlQuery('query/multi.sql'));
      expect(multi.code).toBe('NOT_A_SINGLE_QUERY');
      expect(multi.message).toContain(
        `found 2 in ${at('query/multi.sql')}; the second is statement 2 (line 2)`,
      );
      const two = await failure(runner.executeSqlQuery('two'));
      expect(two.message).toContain(`found 2 files with statements: ${at('two/a.sql')}, ${at('two/b.sql')}`);
      const none = await failure(runner.executeSqlQuery('empty/00_empty.sql'));
      expect(none.message).toContain('found no statement in');
    });

    it('reports a failing query with file, statement and line', async () => {
      const error = await failure(runner.executeSqlQuery('query/fails.sql'));
      expect(error.code).toBe('STATEMENT_FAILED');
      expect(error.message).toContain(`${at('query/fails.sql')}, statement 1 (line 2)`);
    });

    it('reports a missing path as InitializationRequiredError', async () => {
      const error = await failure(runner.executeSql('no_such_hook'));
      expect(InitializationRequiredError.is(error)).toBe(true);
      expect(error.message).toContain(`looked for ${at('no_such_hook')}`);
    });
  });
}

for (const target of SQLITE_TARGETS) defineRunnerSuite(target);

describe.skipIf(DATABASE_URL === undefined)('PostgreSQL (DATABASE_URL)', () => {
  defineRunnerSuite(POSTGRES);
});
