const BRAND = Symbol.for('hookdex.HookdexError');

/** Codes of hookdex's framework errors. */
export type HookdexErrorCode =
  | 'CONFIGURATION'
  | 'CALLBACK'
  | 'CALLBACK_TYPE'
  | 'REINDEXING_REQUIRED'
  | 'INITIALIZATION_REQUIRED'
  | 'JOB_FAILED'
  | 'DATABASE'
  | 'RESTART_REQUIRED';

/**
 * The base of every error hookdex raises. `code` tells callers what happened; `cause` always keeps
 * the original error; `HookdexError.is()` works across duplicate copies of the package.
 */
export class HookdexError extends Error {
  readonly code: HookdexErrorCode;
  readonly [BRAND] = true;

  constructor(code: HookdexErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HookdexError';
    this.code = code;
  }

  /** True for any hookdex framework error (optionally of one code), from any copy of the package. */
  static is(value: unknown, code?: HookdexErrorCode): value is HookdexError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true &&
      (code === undefined || (value as HookdexError).code === code)
    );
  }
}

/** Normalises any thrown value to an `Error`, keeping the original as `cause`. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return new Error(`Non-error value thrown: ${text}`, { cause: value });
}
