import type { Clock, TimerSource } from './clock.js';

/** A point in time: a `Date`, an ISO 8601 string, or epoch milliseconds. */
export type DateInput = Date | string | number;

/** Cron: 5 fields (minute first) or 6 (second first), or a macro such as `@daily`. */
export interface CronTrigger {
  cron: string;
  /** IANA zone the expression is read in; overrides the job's and the scheduler's `timezone`. */
  timezone?: string;
}

/** Every `interval` seconds, anchored at the start: fire k is at start + k x interval (k >= 1). */
export interface IntervalTrigger {
  interval: number;
}

/** Once, at `date`. A date already past fires at once if within `misfireGraceTime`, else is missed. */
export interface DateTrigger {
  date: DateInput;
}

/** Starts with the scheduler and runs until aborted; returning or throwing is an error. */
export interface DaemonTrigger {
  daemon: true;
}

export type Trigger = CronTrigger | IntervalTrigger | DateTrigger | DaemonTrigger;

/**
 * How due fires that piled up (a blocked event loop, a clock jump, a resume) are run:
 * `'latest'` (or `true`) runs only the most recent, `'earliest'` runs only the oldest, `'all'`
 * (or `false`) runs each of them. Any fire later than `misfireGraceTime` is `missed` instead.
 */
export type CoalesceOption = boolean | 'latest' | 'earliest' | 'all';

/** What a failing run does: `'stop'` stops the scheduler (DipDup), `'continue'` keeps the schedule. */
export type OnErrorOption = 'stop' | 'continue';

/** Options every job has; the scheduler's `jobDefaults` give the values a job leaves out. */
export interface JobOptions {
  /** Default `true` (= `'latest'`), as APScheduler. */
  coalesce?: CoalesceOption;
  /** Runs of one job at the same time; a fire beyond it is `skipped`. Default 1. */
  maxInstances?: number;
  /** Seconds a fire may start late and still run; `null` for no limit. Default 1, as APScheduler. */
  misfireGraceTime?: number | null;
  /** Up to this many seconds of random delay, forward only, never reaching the next fire. Default 0. */
  jitter?: number;
  /** No fire before this. For interval jobs, also the anchor. */
  startDate?: DateInput;
  /** No fire after this; the job is removed once its last fire is done. */
  endDate?: DateInput;
  /** IANA zone for cron triggers. Default `'UTC'`. */
  timezone?: string;
  /** Default `'stop'`. */
  onError?: OnErrorOption;
}

/** What a job's callback receives. */
export interface JobContext {
  readonly jobId: string;
  /** The fire time this run is for (before jitter); for `runNow` and daemons, when it was started. */
  readonly scheduledAt: Date;
  /** Aborted when the run should stop: shutdown, removal or pause of a daemon, a shutdown timeout. */
  readonly signal: AbortSignal;
}

/** The callback: may be synchronous or return a promise. */
export type JobCallback = (context: JobContext) => unknown;

export interface JobDefinition extends JobOptions {
  /** Stable, unique id. */
  id: string;
  trigger: Trigger;
  run: JobCallback;
}

export interface SchedulerOptions {
  /** Defaults for every job's options. */
  jobDefaults?: Omit<JobOptions, 'startDate' | 'endDate' | 'timezone'>;
  /** Default zone for cron triggers. Default `'UTC'`. */
  timezone?: string;
  /** Do not keep the process alive just for the scheduler's timer. Default `false`. */
  unref?: boolean;
  /** Longest single sleep in milliseconds, 1 to 60,000 (the default). */
  maxSleepMs?: number;
  /** Wall clock; `@hookdex/scheduler/testing` has a fake one. */
  clock?: Clock;
  /** Timer source; `@hookdex/scheduler/testing` has a fake one. */
  timers?: TimerSource;
  /** Random numbers in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
}

/** A job as `get` and `list` report it. */
export interface JobInfo {
  id: string;
  kind: 'cron' | 'interval' | 'date' | 'daemon';
  trigger: Trigger;
  /** The next fire time (before jitter); null when paused, finished, or a daemon. */
  nextRunAt: Date | null;
  paused: boolean;
  /** Runs of this job in progress. */
  running: number;
  options: Required<Omit<JobOptions, 'startDate' | 'endDate'>> & {
    startDate: Date | null;
    endDate: Date | null;
  };
}

export interface ShutdownOptions {
  /** Wait for running jobs to finish. Default `true`. */
  wait?: boolean;
  /** With `wait`, abort runs still going after this many milliseconds and return. Default: no limit. */
  timeoutMs?: number;
}

export interface ShutdownResult {
  /** True when `timeoutMs` passed with runs still going (their signals were aborted). */
  timedOut: boolean;
  /** Runs still in progress when `shutdown` returned. */
  pending: number;
}

/** Outcome of `runNow`. */
export type RunNowResult =
  | { status: 'executed' }
  | { status: 'failed'; error: Error }
  | { status: 'skipped'; reason: 'max-instances' };
