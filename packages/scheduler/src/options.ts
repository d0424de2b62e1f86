import { SchedulerError } from './errors.js';
import { TimeZone } from './time-zone.js';
import type { CoalesceOption, DateInput, JobDefinition, JobOptions, OnErrorOption } from './types.js';

/** Coalesce policies after mapping `true`/`false`. */
export type CoalesceMode = 'latest' | 'earliest' | 'all';

/** A job's options with every default applied, in milliseconds. */
export interface ResolvedOptions {
  coalesce: CoalesceMode;
  maxInstances: number;
  /** Infinity for no limit. */
  graceMs: number;
  jitterMs: number;
  startMs: number;
  endMs: number;
  zone: TimeZone;
  onError: OnErrorOption;
}

export type TriggerKind = 'cron' | 'interval' | 'date' | 'daemon';

const JOB_KEYS = new Set([
  'id',
  'trigger',
  'run',
  'coalesce',
  'maxInstances',
  'misfireGraceTime',
  'jitter',
  'startDate',
  'endDate',
  'timezone',
  'onError',
]);
const DEFAULT_KEYS = new Set(['coalesce', 'maxInstances', 'misfireGraceTime', 'jitter', 'onError']);
const TRIGGER_KEYS: Record<TriggerKind, Set<string>> = {
  cron: new Set(['cron', 'timezone']),
  interval: new Set(['interval']),
  date: new Set(['date']),
  daemon: new Set(['daemon']),
};

/** Checks a job definition's shape (not its trigger) and returns its id. */
export function validateJobShape(
  job: unknown,
  extraKeys: readonly string[] = [],
): asserts job is JobDefinition {
  if (typeof job !== 'object' || job === null) {
    throw new SchedulerError('INVALID_OPTION', `Expected a job object, found ${typeName(job)}.`);
  }
  const record = job as Record<string, unknown>;
  if (typeof record.id !== 'string' || record.id.length === 0) {
    throw new SchedulerError(
      'INVALID_OPTION',
      `Expected job.id to be a non-empty string, found ${typeName(record.id)}.`,
    );
  }
  const jobId = record.id;
  checkKeys(
    record,
    extraKeys.length === 0 ? JOB_KEYS : new Set([...JOB_KEYS, ...extraKeys]),
    `job "${jobId}"`,
    jobId,
  );
  if (typeof record.run !== 'function') {
    throw new SchedulerError(
      'INVALID_OPTION',
      `Job "${jobId}": expected run to be a function, found ${typeName(record.run)}.`,
      { jobId },
    );
  }
}

/** Which trigger this is; throws `INVALID_TRIGGER` when it is none or more than one. */
export function triggerKind(trigger: unknown, jobId: string): TriggerKind {
  if (typeof trigger !== 'object' || trigger === null) {
    throw new SchedulerError(
      'INVALID_TRIGGER',
      `Job "${jobId}": expected trigger to be { cron }, { interval }, { date } or { daemon: true }, found ${typeName(trigger)}.`,
      { jobId },
    );
  }
  const record = trigger as Record<string, unknown>;
  const kinds = (['cron', 'interval', 'date', 'daemon'] as const).filter(
    (kind) => record[kind] !== undefined,
  );
  if (kinds.length !== 1) {
    throw new SchedulerError(
      'INVALID_TRIGGER',
      `Job "${jobId}": a trigger needs exactly one of cron, interval, date or daemon, found ${
        kinds.length === 0 ? 'none' : kinds.join(' and ')
      }.`,
      { jobId },
    );
  }
  const kind = kinds[0]!;
  checkKeys(record, TRIGGER_KEYS[kind], `job "${jobId}" trigger`, jobId, 'INVALID_TRIGGER');
  switch (kind) {
    case 'cron':
      if (typeof record.cron !== 'string') {
        throw new SchedulerError(
          'INVALID_TRIGGER',
          `Job "${jobId}": expected trigger.cron to be a string, found ${typeName(record.cron)}.`,
          { jobId },
        );
      }
      break;
    case 'interval':
      if (
        typeof record.interval !== 'number' ||
        !Number.isFinite(record.interval) ||
        record.interval < 0.001
      ) {
        throw new SchedulerError(
          'INVALID_TRIGGER',
          `Job "${jobId}": expected trigger.interval to be a number of seconds >= 0.001, found ${describeValue(record.interval)}.`,
          { jobId },
        );
      }
      break;
    case 'date':
      toEpochMs(record.date as DateInput, `job "${jobId}" trigger.date`, jobId, 'INVALID_TRIGGER');
      break;
    case 'daemon':
      if (record.daemon !== true) {
        throw new SchedulerError(
          'INVALID_TRIGGER',
          `Job "${jobId}": expected trigger.daemon to be true, found ${describeValue(record.daemon)}.`,
          { jobId },
        );
      }
      break;
    default: {
      const exhaustive: never = kind;
      throw new Error(`Unhandled trigger kind ${String(exhaustive)}`);
    }
  }
  return kind;
}

/** Validates `jobDefaults` of the scheduler options and fills the built-in defaults. */
export function resolveDefaults(
  defaults: JobOptions | undefined,
  timezone: string | undefined,
): Omit<ResolvedOptions, 'startMs' | 'endMs'> {
  if (defaults !== undefined && (typeof defaults !== 'object' || defaults === null)) {
    throw new SchedulerError(
      'INVALID_OPTION',
      `Expected jobDefaults to be an object, found ${typeName(defaults)}.`,
    );
  }
  if (defaults !== undefined) checkKeys(defaults as Record<string, unknown>, DEFAULT_KEYS, 'jobDefaults');
  const base = {
    coalesce: 'latest' as CoalesceMode,
    maxInstances: 1,
    graceMs: 1000,
    jitterMs: 0,
    zone: zoneOf(timezone ?? 'UTC', 'timezone'),
    onError: 'stop' as OnErrorOption,
  };
  return applyOptions(base, defaults ?? {}, 'jobDefaults');
}

/** A job's options over the scheduler's defaults. */
export function resolveJobOptions(
  job: JobDefinition,
  defaults: Omit<ResolvedOptions, 'startMs' | 'endMs'>,
): ResolvedOptions {
  const where = `job "${job.id}"`;
  const merged = applyOptions(defaults, job, where, job.id);
  let zone = merged.zone;
  if (job.timezone !== undefined) zone = zoneOf(job.timezone, `${where} timezone`, job.id);
  const trigger = job.trigger as Partial<{ timezone: string }>;
  if (trigger.timezone !== undefined) zone = zoneOf(trigger.timezone, `${where} trigger.timezone`, job.id);
  const startMs =
    job.startDate === undefined
      ? Number.NEGATIVE_INFINITY
      : toEpochMs(job.startDate, `${where} startDate`, job.id);
  const endMs =
    job.endDate === undefined ? Number.POSITIVE_INFINITY : toEpochMs(job.endDate, `${where} endDate`, job.id);
  if (endMs < startMs) {
    throw new SchedulerError(
      'INVALID_OPTION',
      `Job "${job.id}": endDate (${new Date(endMs).toISOString()}) is before startDate (${new Date(startMs).toISOString()}).`,
      { jobId: job.id },
    );
  }
  return { ...merged, zone, startMs, endMs };
}

function applyOptions<T extends Omit<ResolvedOptions, 'startMs' | 'endMs'>>(
  base: T,
  options: JobOptions,
  where: string,
  jobId?: string,
): T {
  const result = { ...base };
  if (options.coalesce !== undefined) result.coalesce = coalesceMode(options.coalesce, where, jobId);
  if (options.maxInstances !== undefined) {
    if (!Number.isInteger(options.maxInstances) || options.maxInstances < 1) {
      throw invalid(where, 'maxInstances', 'an integer >= 1', options.maxInstances, jobId);
    }
    result.maxInstances = options.maxInstances;
  }
  if (options.misfireGraceTime !== undefined) {
    const grace = options.misfireGraceTime;
    if (grace === null || grace === Number.POSITIVE_INFINITY) result.graceMs = Number.POSITIVE_INFINITY;
    else if (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0) {
      throw invalid(
        where,
        'misfireGraceTime',
        'a number of seconds >= 0, or null for no limit',
        grace,
        jobId,
      );
    } else result.graceMs = grace * 1000;
  }
  if (options.jitter !== undefined) {
    if (typeof options.jitter !== 'number' || !Number.isFinite(options.jitter) || options.jitter < 0) {
      throw invalid(where, 'jitter', 'a number of seconds >= 0', options.jitter, jobId);
    }
    result.jitterMs = options.jitter * 1000;
  }
  if (options.onError !== undefined) {
    if (options.onError !== 'stop' && options.onError !== 'continue') {
      throw invalid(where, 'onError', '"stop" or "continue"', options.onError, jobId);
    }
    result.onError = options.onError;
  }
  return result;
}

function coalesceMode(value: CoalesceOption, where: string, jobId?: string): CoalesceMode {
  if (value === true || value === 'latest') return 'latest';
  if (value === false || value === 'all') return 'all';
  if (value === 'earliest') return 'earliest';
  throw invalid(where, 'coalesce', 'true, false, "latest", "earliest" or "all"', value, jobId);
}

function zoneOf(name: string, where: string, jobId?: string): TimeZone {
  try {
    return TimeZone.of(name);
  } catch (error) {
    throw new SchedulerError('INVALID_TIMEZONE', `${capitalise(where)}: ${(error as Error).message}`, {
      jobId,
      cause: error,
    });
  }
}

/** Epoch milliseconds of a `DateInput`; throws naming `where` when it is not a valid date. */
export function toEpochMs(
  value: DateInput,
  where: string,
  jobId?: string,
  code: 'INVALID_OPTION' | 'INVALID_TRIGGER' = 'INVALID_OPTION',
): number {
  let ms = Number.NaN;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && value.trim() !== '') ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new SchedulerError(
      code,
      `${capitalise(where)}: expected a Date, an ISO 8601 string or epoch milliseconds, found ${describeValue(value)}.`,
      { jobId },
    );
  }
  return ms;
}

function checkKeys(
  record: Record<string, unknown>,
  allowed: Set<string>,
  where: string,
  jobId?: string,
  code: 'INVALID_OPTION' | 'INVALID_TRIGGER' = 'INVALID_OPTION',
): void {
  for (const key of Object.keys(record)) {
    if (allowed.has(key) || record[key] === undefined) continue;
    const suggestion = closest(key, allowed);
    throw new SchedulerError(
      code,
      `${capitalise(where)}: unknown option "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; expected one of ${[
        ...allowed,
      ].join(', ')}.`,
      { jobId },
    );
  }
}

function invalid(
  where: string,
  key: string,
  expected: string,
  found: unknown,
  jobId?: string,
): SchedulerError {
  return new SchedulerError(
    'INVALID_OPTION',
    `${capitalise(where)}: expected ${key} to be ${expected}, found ${describeValue(found)}.`,
    { jobId },
  );
}

/** The allowed word nearest to `word` by edit distance, if it is close enough to be a typo. */
function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (value instanceof Date) return 'an invalid Date';
  return typeName(value);
}
