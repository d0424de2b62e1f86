import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { bindParameters } from './bind-parameters.js';
import type { Dialect } from './dialect.js';
import { SqlRunnerError } from './errors.js';
import type { SqlParameters } from './parameters/to-driver-value.js';

const errorOf = (run: () => unknown): SqlRunnerError => {
  try {
    run();
  } catch (error) {
    if (SqlRunnerError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a SqlRunnerError');
};

describe('bindParameters', () => {
  it('numbers PostgreSQL placeholders and reuses the number of a repeated name', () => {
    expect(bindParameters('SELECT :a, :b, :a', { a: 1, b: 'x' }, 'postgres')).toEqual({
      text: 'SELECT $1, $2, $1',
      values: [1, 'x'],
    });
  });

  it('uses ? on SQLite, with one value per occurrence', () => {
    expect(bindParameters('SELECT :a, :b, :a', { a: 1, b: 'x' }, 'sqlite')).toEqual({
      text: 'SELECT ?, ?, ?',
      values: [1, 'x', 1],
    });
  });

  it('leaves ::casts, :=, strings, quoted identifiers, comments and dollar bodies alone', () => {
    const statement = [
      "SELECT :a::int, x := 1, ':b', \":c\", E':d\\'', $$ :e $$, $t$ :f $t$ -- :g",
      '/* :h */ , arr[1:2], :i',
    ].join('\n');
    expect(bindParameters(statement, { a: 1, i: 2 }, 'postgres')).toEqual({
      text: [
        "SELECT $1::int, x := 1, ':b', \":c\", E':d\\'', $$ :e $$, $t$ :f $t$ -- :g",
        '/* :h */ , arr[1:2], $2',
      ].join('\n'),
      values: [1, 2],
    });
    expect(bindParameters("SELECT ':b', [:c], `:d` /* :e */, :a", { a: 1 }, 'sqlite')).toEqual({
      text: "SELECT ':b', [:c], `:d` /* :e */, ?",
      values: [1],
    });
  });

  it('reads names as [A-Za-z_][A-Za-z0-9_]*', () => {
    expect(bindParameters('SELECT :_a1+:B', { _a1: 1, B: 2 }, 'postgres').text).toBe('SELECT $1+$2');
  });

  it('returns the statement unchanged when it has no placeholder, and allows unused parameters', () => {
    expect(bindParameters('SELECT \'{"a": 1}\'', { unused: 1 }, 'sqlite')).toEqual({
      text: 'SELECT \'{"a": 1}\'',
      values: [],
    });
  });

  it('names every missing parameter', () => {
    const error = errorOf(() => bindParameters('SELECT :a, :b, :c', { b: 1 }, 'postgres'));
    expect(error.code).toBe('MISSING_PARAMETER');
    expect(error.parameters).toEqual(['a', 'c']);
    expect(error.message).toContain('Missing values for :a, :c in <statement>, statement 1 (line 1)');
  });

  it('never binds inherited properties such as :constructor', () => {
    expect(errorOf(() => bindParameters('SELECT :constructor', {}, 'sqlite')).code).toBe('MISSING_PARAMETER');
  });

  it('refuses driver-native placeholders on SQLite', () => {
    for (const statement of ['SELECT ?', 'SELECT ?1', 'SELECT @x', 'SELECT $x', 'SELECT :1']) {
      const error = errorOf(() => bindParameters(statement, {}, 'sqlite'));
      expect(error.code, statement).toBe('INVALID_PLACEHOLDER');
      expect(error.message).toContain('Write :name instead');
    }
  });

  it('passes PostgreSQL $1 through alone, but refuses it beside :name', () => {
    expect(bindParameters('SELECT $1', {}, 'postgres')).toEqual({ text: 'SELECT $1', values: [] });
    expect(errorOf(() => bindParameters('SELECT $1, :a', { a: 1 }, 'postgres')).code).toBe(
      'INVALID_PLACEHOLDER',
    );
  });

  it('refuses more than one statement', () => {
    expect(errorOf(() => bindParameters('SELECT 1; SELECT 2', {}, 'sqlite')).message).toContain(
      'expected one statement, found 2',
    );
  });

  describe('values', () => {
    const bind = (value: unknown, dialect: Dialect) =>
      bindParameters('SELECT :v', { v: value } as SqlParameters, dialect).values[0];

    it('converts for SQLite: booleans to 1/0, dates to ISO strings, bigint kept', () => {
      expect(bind(true, 'sqlite')).toBe(1);
      expect(bind(false, 'sqlite')).toBe(0);
      expect(bind(new Date('2024-02-29T12:00:00Z'), 'sqlite')).toBe('2024-02-29T12:00:00.000Z');
      expect(bind(2n ** 63n - 1n, 'sqlite')).toBe(2n ** 63n - 1n);
    });

    it('converts for PostgreSQL: bigint to text, dates to ISO strings, booleans kept', () => {
      expect(bind(2n ** 70n, 'postgres')).toBe('1180591620717411303424');
      expect(bind(new Date(0), 'postgres')).toBe('1970-01-01T00:00:00.000Z');
      expect(bind(true, 'postgres')).toBe(true);
    });

    it('binds decimal.js Decimals, and look-alikes, by their toString()', () => {
      expect(bind(new Decimal('12345678901234567890.123456789'), 'postgres')).toBe(
        '12345678901234567890.123456789',
      );
      expect(bind(new Decimal('-0.5'), 'sqlite')).toBe('-0.5');
      const lookalike = { d: [5], e: 0, s: 1, toFixed: () => '5', toString: () => '5' };
      expect(bind(lookalike, 'sqlite')).toBe('5');
    });

    it('keeps strings, numbers, null and Buffers; turns a Uint8Array into a Buffer', () => {
      expect(bind('text', 'sqlite')).toBe('text');
      expect(bind(1.5, 'postgres')).toBe(1.5);
      expect(bind(null, 'postgres')).toBeNull();
      const buffer = Buffer.from([0, 1, 2]);
      expect(bind(buffer, 'sqlite')).toBe(buffer);
      expect(bind(new Uint8Array([3, 4]), 'postgres')).toEqual(Buffer.from([3, 4]));
    });

    it('binds arrays on PostgreSQL, converting their elements', () => {
      expect(bind([1n, new Decimal('2.5'), null], 'postgres')).toEqual(['1', '2.5', null]);
    });

    it.each([
      ['an array on SQLite', [1, 2], 'sqlite', 'is an array, which SQLite cannot bind'],
      ['undefined', undefined, 'sqlite', 'is undefined: pass null for SQL NULL'],
      ['a plain object', { a: 1 }, 'postgres', 'unsupported value of type object (Object)'],
      ['a Map', new Map(), 'sqlite', 'unsupported value of type object (Map)'],
      ['a function', () => 1, 'postgres', 'unsupported value of type function'],
      ['a symbol', Symbol('s'), 'sqlite', 'unsupported value of type symbol'],
      ['an invalid Date', new Date('nope'), 'postgres', 'is an invalid Date'],
      ['NUL in a PostgreSQL string', 'a\0b', 'postgres', 'contains a NUL character'],
      ['a bad array element', [1, {}], 'postgres', 'Parameter :v[1]'],
    ] as const)('refuses %s, naming the parameter', (_name, value, dialect, expected) => {
      const error = errorOf(() => bind(value, dialect));
      expect(error.code).toBe('INVALID_PARAMETER');
      expect(error.parameters).toEqual(['v']);
      expect(error.message).toContain(expected);
      expect(error.message).toContain('<statement>, statement 1 (line 1)');
    });

    it('keeps NUL characters in SQLite strings', () => {
      expect(bind('a\0b', 'sqlite')).toBe('a\0b');
    });
  });
});
