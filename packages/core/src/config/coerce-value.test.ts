import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { parseArgType } from './arg-types.js';
import { coerceConfigValue, coerceWithProblem } from './coerce-value.js';

const coerce = (type: string, value: unknown) => coerceConfigValue(parseArgType(type), value);

describe('coerceConfigValue', () => {
  it('makes a Decimal from a number or a numeric string', () => {
    expect(coerce('Decimal', 1.5)).toEqual(new Decimal('1.5'));
    expect((coerce('decimal.Decimal', '0.1') as Decimal).plus('0.2').toString()).toBe('0.3');
    expect((coerce('Decimal', ' -1e-3 ') as Decimal).toString()).toBe('-0.001');
  });

  it('makes a bigint from an integer or a digit string', () => {
    expect(coerce('bigint', 42)).toBe(42n);
    expect(coerce('bigint', '18446744073709551615')).toBe(18446744073709551615n);
    expect(coerce('bigint', '-7')).toBe(-7n);
  });

  it('makes a Date from an ISO 8601 string, reading one without an offset as UTC', () => {
    expect(coerce('datetime', '2024-01-31T12:30:00Z')).toEqual(new Date('2024-01-31T12:30:00Z'));
    expect(coerce('datetime', '2024-01-31T12:30:00')).toEqual(new Date('2024-01-31T12:30:00Z'));
    expect(coerce('datetime', '2024-01-31')).toEqual(new Date('2024-01-31T00:00:00Z'));
    expect(coerce('datetime', '2024-01-31 12:30:00.5+02:00')).toEqual(new Date('2024-01-31T10:30:00.500Z'));
    expect(coerce('datetime', '2024-01-31T12:30+0530')).toEqual(new Date('2024-01-31T07:00:00Z'));
  });

  it('converts inside list, dict and Optional', () => {
    expect(coerce('list[bigint]', [1, '2'])).toEqual([1n, 2n]);
    expect(coerce('dict[str, Decimal]', { a: '1.25' })).toEqual({ a: new Decimal('1.25') });
    expect(coerce('Optional[datetime]', '2024-01-01')).toEqual(new Date('2024-01-01T00:00:00Z'));
    expect(coerce('datetime | None', null)).toBeNull();
    expect(coerce('list[Optional[bigint]]', [null, 3])).toEqual([null, 3n]);
  });

  it('leaves values it cannot convert unchanged, for the type check to report', () => {
    expect(coerce('bigint', 1.5)).toBe(1.5);
    expect(coerce('Decimal', 'NaN')).toBe('NaN');
    expect(coerce('Decimal', true)).toBe(true);
    expect(coerce('datetime', 'yesterday')).toBe('yesterday');
    expect(coerce('int', '5')).toBe('5');
    expect(coerce('list[bigint]', 'nope')).toBe('nope');
  });

  it('says why a value of a convertible kind was not converted', () => {
    const problem = (type: string, value: unknown) => coerceWithProblem(parseArgType(type), value).problem;
    expect(problem('datetime', '2024-02-30')).toBe('"2024-02-30" is not a valid date-time');
    expect(problem('datetime', 'tomorrow')).toContain('is not an ISO 8601 date-time');
    expect(problem('bigint', 2 ** 60)).toContain('beyond 2^53');
    expect(problem('Decimal', 2 ** 60)).toContain('quote it');
    expect(problem('list[bigint]', ['1', 'x'])).toBe('"x" is not an integer');
    expect(problem('Decimal', 'abc')).toBe('"abc" is not a decimal number');
    expect(problem('bigint', 5)).toBeUndefined();
  });
});
