const BASE_BRAND = Symbol.for('hookdex.sql-runner.SqlRunnerError');
const SCRIPT_BRAND = Symbol.for('hookdex.sql-runner.SqlScriptError');
const INITIALIZATION_BRAND = Symbol.for('hookdex.sql-runner.InitializationRequiredError');

/** Codes of every error `@hookdex/sql-runner` throws; branch on these, not on messages. */
export type SqlRunnerErrorCode =
  | 'INVALID_OPTION'
  | 'UNSUPPORTED_DIALECT'
  | 'DATA_SOURCE_NOT_INITIALIZED'
  | 'INVALID_NAME'
  | 'INITIALIZATION_REQUIRED'
  | 'READ_FAILED'
  | 'SYNTAX_ERROR'
  | 'MISSING_PARAMETER'
  | 'INVALID_PARAMETER'
  | 'INVALID_PLACEHOLDER'
  | 'NOT_A_SINGLE_QUERY'
  | 'STATEMENT_FAILED';

/** Where in a script something happened: the file (relative to the scripts' root), statement and line. */
export interface ScriptLocation {
  /** The file, relative to the scripts' root, with `/` separators. */
  readonly file: string;
  /** 1-based number of the statement in its file. */
  readonly statement: number;
  /** 1-based line of the statement's first character in its file. */
  readonly line: number;
}

/** Options every `SqlRunnerError` accepts. */
export interface SqlRunnerErrorOptions {
  cause?: unknown;
  location?: ScriptLocation;
  /** The parameter names the error is about (`MISSING_PARAMETER`, `INVALID_PARAMETER`). */
  parameters?: readonly string[];
}

/** The base of every error of `@hookdex/sql-runner`; branch on `code`. */
export class SqlRunnerError extends Error {
  readonly code: SqlRunnerErrorCode;
  /** The script position the error is about, when there is one. */
  readonly location: ScriptLocation | undefined;
  /** Parameter names the error is about, for the parameter codes; empty otherwise. */
  readonly parameters: readonly string[];
  readonly [BASE_BRAND] = true;

  constructor(code: SqlRunnerErrorCode, message: string, options: SqlRunnerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SqlRunnerError';
    this.code = code;
    this.location = options.location;
    this.parameters = options.parameters ?? [];
  }

  /** True for any error of this package, even one from another copy of it. */
  static is(value: unknown): value is SqlRunnerError {
    return hasBrand(value, BASE_BRAND);
  }
}

/** What `SqlScriptError` needs to say where a statement failed and why. */
export interface SqlScriptErrorDetails {
  code: 'SYNTAX_ERROR' | 'STATEMENT_FAILED';
  location: ScriptLocation;
  /** A short, single-line excerpt of the statement as written in the file. */
  excerpt: string;
  /** The database's own message, for `STATEMENT_FAILED`. */
  databaseMessage?: string;
  /** The database's error code (PostgreSQL SQLSTATE such as `42P01`, or `SQLITE_ERROR`). */
  databaseCode?: string;
  cause?: unknown;
}

/** A statement of a script could not be split (`SYNTAX_ERROR`) or was rejected by the database (`STATEMENT_FAILED`). */
export class SqlScriptError extends SqlRunnerError {
  declare readonly location: ScriptLocation;
  readonly file: string;
  readonly statement: number;
  readonly line: number;
  readonly excerpt: string;
  readonly databaseMessage: string | undefined;
  readonly databaseCode: string | undefined;
  readonly [SCRIPT_BRAND] = true;

  constructor(message: string, details: SqlScriptErrorDetails) {
    super(details.code, message, { cause: details.cause, location: details.location });
    this.name = 'SqlScriptError';
    this.file = details.location.file;
    this.statement = details.location.statement;
    this.line = details.location.line;
    this.excerpt = details.excerpt;
    this.databaseMessage = details.databaseMessage;
    this.databaseCode = details.databaseCode;
  }

  /** True for a `SqlScriptError`, even one from another copy of this package. */
  static override is(value: unknown): value is SqlScriptError {
    return hasBrand(value, SCRIPT_BRAND);
  }
}

/** The scripts a name refers to do not exist: the project has not been initialised (`hookdex init`). */
export class InitializationRequiredError extends SqlRunnerError {
  /** The path looked for first (the one `hookdex init` creates). */
  readonly path: string;
  /** Every path looked for, in the order they were tried. */
  readonly searched: readonly string[];
  readonly [INITIALIZATION_BRAND] = true;

  constructor(message: string, options: { path: string; searched: readonly string[]; cause?: unknown }) {
    super('INITIALIZATION_REQUIRED', message, { cause: options.cause });
    this.name = 'InitializationRequiredError';
    this.path = options.path;
    this.searched = options.searched;
  }

  /** True for an `InitializationRequiredError`, even one from another copy of this package. */
  static override is(value: unknown): value is InitializationRequiredError {
    return hasBrand(value, INITIALIZATION_BRAND);
  }
}

function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** Describes any thrown value in one line, for messages; never throws. */
export function describeThrown(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return Object.prototype.toString.call(value);
  }
}
