import { HookdexError } from './hookdex-error.js';

/** Where in which configuration file a mistake is, and what was expected and found there. */
export interface ConfigurationProblem {
  /** The file the value came from, when known. */
  file?: string;
  /** Dotted path, e.g. `jobs.midnight_stats.crontab`. */
  path?: string;
  expected: string;
  found: string;
  /** A likely fix, e.g. "did you mean `crontab`?". */
  hint?: string;
}

/** A mistake in `hookdex.yaml` or in how the configuration is used. */
export class ConfigurationError extends HookdexError {
  readonly file: string | undefined;
  readonly path: string | undefined;
  readonly expected: string;
  readonly found: string;
  readonly hint: string | undefined;

  constructor(problem: ConfigurationProblem, options: { cause?: unknown } = {}) {
    super('CONFIGURATION', formatProblem(problem), options);
    this.name = 'ConfigurationError';
    this.file = problem.file;
    this.path = problem.path;
    this.expected = problem.expected;
    this.found = problem.found;
    this.hint = problem.hint;
  }
}

function formatProblem(problem: ConfigurationProblem): string {
  const where = [problem.file, problem.path].filter(Boolean).join(': ');
  const body = `expected ${problem.expected}, found ${problem.found}`;
  return `${where ? `${where}: ` : ''}${body}${problem.hint ? ` (${problem.hint})` : ''}.`;
}

/** User code (a hook or handler) threw; `cause` is what it threw. */
export class CallbackError extends HookdexError {
  readonly kind: 'hook' | 'handler' | 'job';
  readonly callback: string;

  constructor(options: { kind: 'hook' | 'handler' | 'job'; callback: string; cause: unknown }) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super('CALLBACK', `The ${options.kind} \`${options.callback}\` failed: ${reason}`, {
      cause: options.cause,
    });
    this.name = 'CallbackError';
    this.kind = options.kind;
    this.callback = options.callback;
  }
}

/** A hook was given an argument of the wrong type, an unknown one, or not given a required one. */
export class CallbackTypeError extends HookdexError {
  readonly hook: string;
  readonly argument: string;
  readonly expectedType: string;
  readonly actualType: string;
  readonly job: string | undefined;

  constructor(options: {
    hook: string;
    argument: string;
    expectedType: string;
    actualType: string;
    job?: string;
    file?: string;
    reason?: string;
  }) {
    const where = `${options.file ? `${options.file}: ` : ''}${options.job ? `job \`${options.job}\`: ` : ''}`;
    super(
      'CALLBACK_TYPE',
      `${where}hook \`${options.hook}\` argument \`${options.argument}\`: expected ${options.expectedType}, found ${options.actualType}${
        options.reason ? ` (${options.reason})` : ''
      }.`,
    );
    this.name = 'CallbackTypeError';
    this.hook = options.hook;
    this.argument = options.argument;
    this.expectedType = options.expectedType;
    this.actualType = options.actualType;
    this.job = options.job;
  }
}

/** Reasons a database must be reindexed (DipDup's names). */
export type ReindexingReason = 'manual' | 'migration' | 'rollback' | 'config_modified' | 'schema_modified';

/** The database cannot be used as it is: it must be wiped or the reason approved. */
export class ReindexingRequiredError extends HookdexError {
  readonly reason: ReindexingReason;

  constructor(reason: ReindexingReason, detail?: string) {
    super(
      'REINDEXING_REQUIRED',
      `Reindexing required (${reason})${detail ? `: ${detail}` : ''}. Run \`hookdex schema wipe\` to start again, or \`hookdex schema approve\` to keep the data.`,
    );
    this.name = 'ReindexingRequiredError';
    this.reason = reason;
  }
}

/** Something `hookdex init` creates is missing (a hook's `sql/` directory, a stub). */
export class InitializationRequiredError extends HookdexError {
  constructor(message: string, cause?: unknown) {
    super('INITIALIZATION_REQUIRED', message, { cause });
    this.name = 'InitializationRequiredError';
  }
}

/** hookdex must restart its startup sequence (after a wipe); the runtime catches it. */
export class RestartRequiredError extends HookdexError {
  /** Wipe the database (but immune tables) before starting again. */
  readonly wipe: boolean;
  readonly reason: ReindexingReason | undefined;

  constructor(message: string, options: { wipe?: boolean; reason?: ReindexingReason } = {}) {
    super('RESTART_REQUIRED', `Restart required: ${message}.`);
    this.name = 'RestartRequiredError';
    this.wipe = options.wipe ?? false;
    this.reason = options.reason;
  }
}

/** A job's hook failed and the job's `on_error` is `stop` (the default, as DipDup). */
export class JobFailedError extends HookdexError {
  readonly job: string;

  constructor(job: string, cause: Error) {
    super('JOB_FAILED', `Job \`${job}\` failed: ${cause.message}`, { cause });
    this.name = 'JobFailedError';
    this.job = job;
  }
}
