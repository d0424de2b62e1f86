import { Decimal } from 'decimal.js';
import type { ArgType } from './arg-types.js';
import { describeFound } from './describe-found.js';
import { isMapping } from './merge-documents.js';

/** A coerced value, and why a value that looked meant for the type could not be converted. */
export interface Coercion {
  readonly value: unknown;
  /** Set when, for example, a string given for `datetime` is not an ISO 8601 date-time. */
  readonly problem: string | undefined;
}

// NOTE: only plain decimal notation; decimal.js would also read `NaN`, `Infinity` and `0x1f`.
const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const INTEGER_TEXT = /^[+-]?\d+$/;
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Converts a value read from YAML (or the command line) to the declared type where YAML cannot
 * express it: `Decimal` from a number or numeric string, `bigint` from an integer or a digit string,
 * `datetime` from an ISO 8601 string (read as UTC when it has no offset), also inside `list`, `dict`
 * and `Optional`. Anything else is returned unchanged, for `checkValue` to judge.
 */
export function coerceConfigValue(type: ArgType, value: unknown): unknown {
  return coerceWithProblem(type, value).value;
}

/** `coerceConfigValue`, also saying why a value of a convertible kind could not be converted. */
export function coerceWithProblem(type: ArgType, value: unknown): Coercion {
  let problem: string | undefined;
  const note = (text: string) => {
    problem ??= text;
  };
  const coerced = coerce(type, value, note);
  return { value: coerced, problem };
}

function coerce(type: ArgType, value: unknown, note: (problem: string) => void): unknown {
  switch (type.kind) {
    case 'optional':
      return value === null || value === undefined ? value : coerce(type.inner, value, note);
    case 'list':
      return Array.isArray(value) ? value.map((item) => coerce(type.item, item, note)) : value;
    case 'dict':
      return isMapping(value)
        ? Object.fromEntries(
            Object.entries(value).map(([key, item]) => [key, coerce(type.value, item, note)]),
          )
        : value;
    case 'decimal':
      return toDecimal(value, note);
    case 'bigint':
      return toBigint(value, note);
    case 'datetime':
      return toDate(value, note);
    default:
      return value;
  }
}

function toDecimal(value: unknown, note: (problem: string) => void): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return value;
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      note(`${value} is beyond 2^53 and lost precision when YAML read it as a number; quote it`);
      return value;
    }
    return new Decimal(value);
  }
  if (typeof value === 'string') {
    if (DECIMAL_TEXT.test(value.trim())) return new Decimal(value.trim());
    note(`${describeFound(value)} is not a decimal number`);
  }
  return value;
}

function toBigint(value: unknown, note: (problem: string) => void): unknown {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return BigInt(value);
    if (Number.isInteger(value)) {
      note(`${value} is beyond 2^53 and lost precision when YAML read it as a number; quote it`);
    }
    return value;
  }
  if (typeof value === 'string') {
    if (INTEGER_TEXT.test(value.trim())) return BigInt(value.trim());
    note(`${describeFound(value)} is not an integer`);
  }
  return value;
}

function toDate(value: unknown, note: (problem: string) => void): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  const match = ISO_DATE_TIME.exec(text);
  if (match === null) {
    note(`${describeFound(value)} is not an ISO 8601 date-time such as 2024-01-31T12:00:00Z`);
    return value;
  }
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone] = match;
  // NOTE: a date-time without an offset is UTC, whatever the machine's time zone (JS would read it as local).
  const offset = zone === undefined || zone.toUpperCase() === 'Z' ? 'Z' : normalizeOffset(zone);
  const milliseconds = fraction === '' ? '' : `.${fraction.padEnd(3, '0').slice(0, 3)}`;
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}${milliseconds}${offset}`);
  // NOTE: Date rolls 2024-02-30 over to March; compare the fields back to refuse impossible dates.
  const local = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
  const valid =
    !Number.isNaN(date.getTime()) &&
    local.getUTCFullYear() === Number(year) &&
    local.getUTCMonth() + 1 === Number(month) &&
    local.getUTCDate() === Number(day);
  if (!valid) {
    note(`${describeFound(value)} is not a valid date-time`);
    return value;
  }
  return date;
}

function normalizeOffset(zone: string): string {
  const digits = zone.slice(1).replace(':', '');
  return `${zone[0]}${digits.slice(0, 2)}:${(digits.slice(2) || '00').padEnd(2, '0')}`;
}
