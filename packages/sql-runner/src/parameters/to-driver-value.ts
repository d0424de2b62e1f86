import type { Dialect } from '../dialect.js';
import { type ScriptLocation, SqlRunnerError } from '../errors.js';

/** The shape of a decimal.js `Decimal` that this package relies on (it is detected, not imported). */
export interface DecimalLike {
  readonly d: readonly number[] | null;
  readonly e: number | null;
  readonly s: number | null;
  toFixed(): string;
  toString(): string;
}

/** A value a `:name` placeholder can be bound to. Arrays are PostgreSQL only. */
export type SqlParameterValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | null
  | Buffer
  | Uint8Array
  | DecimalLike
  | readonly SqlParameterValue[];

/** Parameter values by placeholder name (`{ day: new Date() }` for `:day`). */
export type SqlParameters = Readonly<Record<string, SqlParameterValue>>;

/** Where a value is being bound, for error messages. */
export interface ValueContext {
  readonly name: string;
  readonly dialect: Dialect;
  /** `<file>, statement <n> (line <l>)`. */
  readonly where: string;
  readonly location?: ScriptLocation;
}

const SUPPORTED =
  'a string, number, bigint, boolean, Date, null, Buffer, decimal.js Decimal, or (PostgreSQL only) an array of these';

/** True for a decimal.js `Decimal` (or a compatible copy), detected without importing decimal.js. */
export function isDecimal(value: unknown): value is DecimalLike {
  if (typeof value !== 'object' || value === null) return false;
  const valueClass = (value as { constructor?: unknown }).constructor as
    | { isDecimal?: unknown; name?: unknown }
    | undefined;
  if (
    typeof valueClass?.isDecimal === 'function' &&
    (valueClass.isDecimal as (v: unknown) => boolean)(value)
  ) {
    return true;
  }
  if (valueClass?.name === 'Decimal' && typeof (value as { toFixed?: unknown }).toFixed === 'function') {
    return true;
  }
  return (
    typeof (value as { toFixed?: unknown }).toFixed === 'function' &&
    'd' in value &&
    'e' in value &&
    's' in value
  );
}

/**
 * Converts a parameter value to what the driver binds: SQLite gets 1/0 for booleans, ISO strings for
 * dates; both get decimals as their `toString()`. Throws `INVALID_PARAMETER` naming the parameter.
 */
export function toDriverValue(value: unknown, context: ValueContext): unknown {
  switch (typeof value) {
    case 'string':
      if (context.dialect === 'postgres' && value.includes('\0')) {
        throw invalid(
          context,
          'contains a NUL character (U+0000), which PostgreSQL text cannot store',
          'strip it, or pass a Buffer to store the bytes in a bytea column',
        );
      }
      return value;
    case 'number':
      return value;
    case 'bigint':
      // NOTE: pg sends parameters as text; better-sqlite3 binds BigInt as a 64-bit integer.
      return context.dialect === 'postgres' ? value.toString() : value;
    case 'boolean':
      return context.dialect === 'sqlite' ? (value ? 1 : 0) : value;
    case 'undefined':
      throw invalid(context, 'is undefined', 'pass null for SQL NULL');
    case 'object':
      return objectToDriverValue(value, context);
    default:
      throw invalid(context, `has an unsupported value of type ${typeof value}`, `pass ${SUPPORTED}`);
  }
}

function objectToDriverValue(value: object | null, context: ValueContext): unknown {
  if (value === null) return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid(context, 'is an invalid Date', 'pass a valid Date');
    // NOTE: ISO 8601 in UTC on both dialects, so what is stored never depends on the process time zone.
    return value.toISOString();
  }
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (isDecimal(value)) return value.toString();
  if (Array.isArray(value)) {
    if (context.dialect === 'sqlite') {
      throw invalid(
        context,
        'is an array, which SQLite cannot bind',
        'bind each element to its own placeholder, or pass JSON.stringify(value) and read it with json_each()',
      );
    }
    return value.map((element, index) =>
      toDriverValue(element, { ...context, name: `${context.name}[${index}]` }),
    );
  }
  const kind = value.constructor?.name ?? 'null-prototype object';
  throw invalid(
    context,
    `has an unsupported value of type object (${kind})`,
    `pass ${SUPPORTED}; for a JSON column pass JSON.stringify(value)`,
  );
}

function invalid(context: ValueContext, problem: string, remedy: string): SqlRunnerError {
  // NOTE: an array element is reported as `:ids[2]`, but the parameter is `ids`.
  const parameter = context.name.split('[')[0] ?? context.name;
  return new SqlRunnerError(
    'INVALID_PARAMETER',
    `Parameter :${context.name} in ${context.where} ${problem}: ${remedy}.`,
    { parameters: [parameter], location: context.location },
  );
}
