const BRAND = Symbol.for('hookdex.scheduler.SchedulerError');

/** Codes of every error the scheduler throws or reports. */
export type SchedulerErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_TRIGGER'
  | 'INVALID_CRON'
  | 'INVALID_TIMEZONE'
  | 'DUPLICATE_JOB'
  | 'JOB_NOT_FOUND'
  | 'SCHEDULER_STOPPED'
  | 'DAEMON_EXITED'
  | 'JOB_FAILED';

/** The one error class of `@hookdex/scheduler`; branch on `code`. */
export class SchedulerError extends Error {
  readonly code: SchedulerErrorCode;
  /** The job the error is about, when there is one. */
  readonly jobId: string | undefined;
  /** The cron field that is wrong (`minute`, `dayOfMonth`, ...), for `INVALID_CRON`. */
  readonly field: string | undefined;
  readonly [BRAND] = true;

  constructor(
    code: SchedulerErrorCode,
    message: string,
    options: { jobId?: string; field?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SchedulerError';
    this.code = code;
    this.jobId = options.jobId;
    this.field = options.field;
  }

  /** True for a `SchedulerError`, even one from another copy of this package. */
  static is(value: unknown): value is SchedulerError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** Turns any thrown value into an `Error`, keeping the original as `cause` when it was not one. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(`Non-error value thrown: ${describe(value)}`, { cause: value });
}

function describe(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
