import type { Dialect } from '../dialect.js';
import { type ScriptLocation, SqlRunnerError } from '../errors.js';
import type { ScannedStatement } from '../scan/scan-script.js';
import { type SqlParameters, toDriverValue } from './to-driver-value.js';

/** A statement ready for the driver: `$n` or `?` placeholders and their values in order. */
export interface BoundStatement {
  readonly text: string;
  /** `undefined` when the statement has no placeholder, so it can go through the simple protocol. */
  readonly values: readonly unknown[] | undefined;
}

/** Where the statement comes from, and a per-run cache of converted values. */
export interface BindContext {
  readonly dialect: Dialect;
  /** The file's path as messages show it. */
  readonly file: string;
  /** Converted values by parameter name, shared by all statements of one run. */
  readonly converted: Map<string, unknown>;
}

/** `<file>, statement <n> (line <l>)`, as every message of this package names a position. */
export function describeLocation(location: ScriptLocation): string {
  return `${location.file}, statement ${location.statement} (line ${location.line})`;
}

/** Placeholder names of a statement that `params` has no own property for, in order of appearance. */
export function missingParameterNames(statement: ScannedStatement, params: SqlParameters): string[] {
  const missing: string[] = [];
  for (const placeholder of statement.placeholders) {
    // NOTE: own properties only, so `:constructor` never binds Object.prototype.constructor.
    if (!Object.hasOwn(params, placeholder.name) && !missing.includes(placeholder.name)) {
      missing.push(placeholder.name);
    }
  }
  return missing;
}

/**
 * Replaces `:name` placeholders by `$n` (PostgreSQL; a repeated name reuses its number) or `?`
 * (SQLite; one value per occurrence) and converts the values. The caller has checked that no
 * parameter is missing.
 */
export function bindStatement(
  statement: ScannedStatement,
  params: SqlParameters,
  context: BindContext,
): BoundStatement {
  const { placeholders, nativePlaceholders } = statement;
  if (nativePlaceholders.length > 0) rejectNativePlaceholders(statement, context);
  if (placeholders.length === 0) return { text: statement.text, values: undefined };

  const postgres = context.dialect === 'postgres';
  const values: unknown[] = [];
  const numbers = new Map<string, number>();
  let text = '';
  let copied = 0;
  for (const placeholder of placeholders) {
    const value = convertedValue(placeholder.name, params, statement, context);
    text += statement.text.slice(copied, placeholder.start);
    if (postgres) {
      let number = numbers.get(placeholder.name);
      if (number === undefined) {
        values.push(value);
        number = values.length;
        numbers.set(placeholder.name, number);
      }
      text += `$${number}`;
    } else {
      values.push(value);
      text += '?';
    }
    copied = placeholder.end;
  }
  text += statement.text.slice(copied);
  return { text, values };
}

function locationIn(statement: ScannedStatement, context: BindContext): ScriptLocation {
  return { file: context.file, statement: statement.index, line: statement.line };
}

function convertedValue(
  name: string,
  params: SqlParameters,
  statement: ScannedStatement,
  context: BindContext,
): unknown {
  if (context.converted.has(name)) return context.converted.get(name);
  const location = locationIn(statement, context);
  const value = toDriverValue(params[name], {
    name,
    dialect: context.dialect,
    where: describeLocation(location),
    location,
  });
  context.converted.set(name, value);
  return value;
}

function rejectNativePlaceholders(statement: ScannedStatement, context: BindContext): void {
  const [first] = statement.nativePlaceholders;
  if (first === undefined) return;
  const location = locationIn(statement, context);
  const where = describeLocation(location);
  if (context.dialect === 'sqlite') {
    throw new SqlRunnerError(
      'INVALID_PLACEHOLDER',
      `Found SQLite's own placeholder ${first.token} in ${where}; this runner binds :name placeholders ` +
        `only. Write :name instead and pass { name: value }.`,
      { location },
    );
  }
  // NOTE: PostgreSQL `$1` outside quotes is legitimate in `BEGIN ATOMIC` routine bodies, so it is an
  // error only beside `:name` placeholders, whose `$n` numbers would collide with it.
  if (statement.placeholders.length > 0) {
    throw new SqlRunnerError(
      'INVALID_PLACEHOLDER',
      `Found PostgreSQL's own placeholder ${first.token} beside :${statement.placeholders[0]?.name} in ` +
        `${where}; their numbers would collide. Use :name placeholders only.`,
      { location },
    );
  }
}
