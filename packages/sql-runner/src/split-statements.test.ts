import { describe, expect, it } from 'vitest';
import { corpusOf, corpusScript } from './_test/corpus.js';
import type { Dialect } from './dialect.js';
import { SqlRunnerError, SqlScriptError } from './errors.js';
import { splitStatements } from './split-statements.js';

const texts = (script: string, dialect: Dialect) => splitStatements(script, { dialect }).map((s) => s.text);

describe('splitStatements', () => {
  it.each(['postgres', 'sqlite'] as const)(
    'splits the %s corpus script back into its statements',
    (dialect) => {
      expect(texts(corpusScript(dialect), dialect)).toEqual(corpusOf(dialect));
    },
  );

  it('reports the 1-based line of each statement first character, and numbers statements from 1', () => {
    const script = '-- header\n\nSELECT 1;\n  /* c */  SELECT\n2;\n\n\nSELECT 3';
    expect(splitStatements(script, { dialect: 'sqlite' })).toEqual([
      { text: 'SELECT 1', line: 3, index: 1 },
      { text: 'SELECT\n2', line: 4, index: 2 },
      { text: 'SELECT 3', line: 8, index: 3 },
    ]);
  });

  it('drops empty statements and statements that are only comments, keeps comments inside statements', () => {
    const script =
      ';;\n;  -- only a comment ;\n/* only; this */;\nSELECT /* kept */ 1 -- trailing dropped\n;;';
    expect(texts(script, 'postgres')).toEqual(['SELECT /* kept */ 1']);
    expect(texts('', 'sqlite')).toEqual([]);
    expect(texts('  \n -- nothing\n', 'sqlite')).toEqual([]);
  });

  it('handles CRLF line ends and a byte order mark', () => {
    const script = '\uFEFFSELECT 1;\r\n\r\nSELECT 2;\r\n';
    expect(splitStatements(script, { dialect: 'sqlite' })).toEqual([
      { text: 'SELECT 1', line: 1, index: 1 },
      { text: 'SELECT 2', line: 3, index: 2 },
    ]);
  });

  describe('quotes', () => {
    it('keeps ; inside single-quoted strings with doubled quotes, on both dialects', () => {
      for (const dialect of ['postgres', 'sqlite'] as const) {
        expect(texts("SELECT 'a;''b;'; SELECT 2", dialect)).toEqual(["SELECT 'a;''b;'", 'SELECT 2']);
      }
    });

    it('keeps ; inside double-quoted identifiers with doubled quotes', () => {
      expect(texts('SELECT "a;""b" FROM t; SELECT 2', 'postgres')).toEqual([
        'SELECT "a;""b" FROM t',
        'SELECT 2',
      ]);
    });

    it("reads PostgreSQL E'' strings with backslash escapes, and plain strings without", () => {
      expect(texts(String.raw`SELECT E'it\'s; \\'; SELECT 2`, 'postgres')).toEqual([
        String.raw`SELECT E'it\'s; \\'`,
        'SELECT 2',
      ]);
      // NOTE: standard_conforming_strings: a backslash in a plain string is an ordinary character.
      expect(texts(String.raw`SELECT 'a\'; SELECT 2`, 'postgres')).toEqual([
        String.raw`SELECT 'a\'`,
        'SELECT 2',
      ]);
      expect(texts(String.raw`SELECT e'x\';'`, 'postgres')).toEqual([String.raw`SELECT e'x\';'`]);
    });

    it("does not take a word ending in E for an E'' prefix", () => {
      expect(texts(String.raw`SELECT 'a' AS type, 'b\'; SELECT 2`, 'postgres')).toEqual([
        String.raw`SELECT 'a' AS type, 'b\'`,
        'SELECT 2',
      ]);
    });

    it('reads SQLite backtick and bracket identifiers', () => {
      expect(texts('SELECT `a;``b`, [c;d] FROM t; SELECT 2', 'sqlite')).toEqual([
        'SELECT `a;``b`, [c;d] FROM t',
        'SELECT 2',
      ]);
    });
  });

  describe('dollar quotes (PostgreSQL)', () => {
    it('keeps $$ and tagged bodies whole, including other tags and ; inside', () => {
      const script = 'SELECT $$a;$$; SELECT $fn$ $$; $inner$ ; $fn$; SELECT $_x1$;$_x1$';
      expect(texts(script, 'postgres')).toEqual([
        'SELECT $$a;$$',
        'SELECT $fn$ $$; $inner$ ; $fn$',
        'SELECT $_x1$;$_x1$',
      ]);
    });

    it('treats $1 and identifiers containing $ as what they are, not as dollar quotes', () => {
      expect(texts('SELECT a$b$c FROM t; SELECT $1; SELECT 2', 'postgres')).toEqual([
        'SELECT a$b$c FROM t',
        'SELECT $1',
        'SELECT 2',
      ]);
    });

    it('does not know dollar quotes in SQLite', () => {
      expect(texts("SELECT '$$'; SELECT 2", 'sqlite')).toEqual(["SELECT '$$'", 'SELECT 2']);
    });
  });

  describe('comments', () => {
    it('nests block comments on PostgreSQL, as the server does', () => {
      expect(texts('SELECT 1 /* a /* b; */ c; */ + 1; SELECT 2', 'postgres')).toEqual([
        'SELECT 1 /* a /* b; */ c; */ + 1',
        'SELECT 2',
      ]);
    });

    it('does not nest them on SQLite, as SQLite does not', () => {
      expect(texts('SELECT 1 /* a /* b */ + 1; SELECT 2 */', 'sqlite')).toEqual([
        'SELECT 1 /* a /* b */ + 1',
        'SELECT 2 */',
      ]);
    });

    it('ends a line comment at the line end only', () => {
      expect(texts('SELECT 1 -- a; b\n, 2; SELECT 3', 'sqlite')).toEqual([
        'SELECT 1 -- a; b\n, 2',
        'SELECT 3',
      ]);
    });
  });

  describe('bodies', () => {
    it('keeps a SQLite trigger BEGIN ... END body whole, with CASE ... END inside it', () => {
      const trigger = [
        'CREATE TEMP TRIGGER t AFTER INSERT ON x',
        'BEGIN',
        "  SELECT CASE WHEN NEW.a < 0 THEN RAISE(ABORT, 'no') END;",
        '  UPDATE x SET b = CASE WHEN NEW.a > 1 THEN 1 ELSE 0 END WHERE rowid = NEW.rowid;',
        'END',
      ].join('\n');
      expect(texts(`${trigger};\nSELECT 1;`, 'sqlite')).toEqual([trigger, 'SELECT 1']);
    });

    it('splits a lone transaction BEGIN; and END; like any statement', () => {
      expect(texts('BEGIN; INSERT INTO t VALUES (1); END; BEGIN TRANSACTION; COMMIT;', 'sqlite')).toEqual([
        'BEGIN',
        'INSERT INTO t VALUES (1)',
        'END',
        'BEGIN TRANSACTION',
        'COMMIT',
      ]);
    });

    it('keeps a PostgreSQL BEGIN ATOMIC routine body whole, ignoring BEGIN inside parentheses', () => {
      const routine =
        'CREATE OR REPLACE FUNCTION f(begin int) RETURNS TABLE (begin int) LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true THEN 2 END;\nEND';
      expect(texts(`${routine};\nSELECT 3`, 'postgres')).toEqual([routine, 'SELECT 3']);
    });

    it('does not treat BEGIN in other statements as a body', () => {
      expect(texts('CREATE TABLE t (begin_at int); SELECT 1', 'sqlite')).toEqual([
        'CREATE TABLE t (begin_at int)',
        'SELECT 1',
      ]);
    });
  });

  describe('errors', () => {
    const failure = (script: string, dialect: Dialect, file?: string): SqlScriptError => {
      try {
        splitStatements(script, { dialect, file });
      } catch (error) {
        if (SqlScriptError.is(error)) return error;
        throw error;
      }
      throw new Error('expected a SqlScriptError');
    };

    it.each([
      ['string', "SELECT 1;\nSELECT\n'abc;", 'sqlite', 'string'],
      ['quoted identifier', 'SELECT 1;\nSELECT\n"abc', 'postgres', 'quoted identifier'],
      ['escape string', "SELECT 1;\nSELECT\nE'abc\\'", 'postgres', 'escape string'],
      ['dollar quote', 'SELECT 1;\nSELECT\n$fn$ body', 'postgres', 'dollar-quoted string $fn$'],
      ['nested block comment', 'SELECT 1;\nSELECT\n/* a /* b */', 'postgres', 'block comment'],
      ['bracket identifier', 'SELECT 1;\nSELECT\n[abc', 'sqlite', 'bracketed identifier'],
    ] as const)('names file, statement and line for an unterminated %s', (_name, script, dialect, what) => {
      const error = failure(script, dialect, 'sql/hook/10_a.sql');
      expect(error.code).toBe('SYNTAX_ERROR');
      expect(error.message).toContain(`Unterminated ${what} in sql/hook/10_a.sql, statement 2 (line 2)`);
      expect(error.message).toContain('opened at line 3');
      expect(error).toMatchObject({
        file: 'sql/hook/10_a.sql',
        statement: 2,
        line: 2,
        excerpt: expect.any(String),
      });
    });

    it('lets an unclosed SQLite block comment run to the end, as SQLite does', () => {
      expect(texts('SELECT 1; /* never closed; SELECT 2', 'sqlite')).toEqual(['SELECT 1']);
    });

    it('rejects an unknown dialect and a non-string script', () => {
      expect(() => splitStatements('SELECT 1', { dialect: 'mysql' as Dialect })).toThrow(
        /expected dialect 'postgres' or 'sqlite', found "mysql"/,
      );
      expect(() => splitStatements(42 as unknown as string, { dialect: 'sqlite' })).toThrow(SqlRunnerError);
    });
  });
});
