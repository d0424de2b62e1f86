import type { Clock, TimerSource } from '../clock.js';
import type { SchedulerEvents } from '../events.js';
import type { TriggerKind } from '../options.js';
import type { JobContext, JobDefinition, JobInfo, JobOptions, Trigger } from '../types.js';
import type { JobStore } from './store.js';

/**
 * What a run whose process died (its lease expired) becomes: `'abandon'` marks it abandoned, so a
 * fire runs at most once (APScheduler 4); `'retry'` runs it again on any process, so a fire runs at
 * least once (pg-boss, graphile-worker).
 */
export type OnCrashOption = 'abandon' | 'retry';

/** Options a cluster job has on top of the in-process ones. */
export interface ClusterJobOptions extends JobOptions {
  /** Default `'abandon'`. */
  onCrash?: OnCrashOption;
  /** With `onCrash: 'retry'`: attempts in all, the first included, before the run is `failed`. Default 5. */
  maxAttempts?: number;
  /**
   * With `coalesce: 'all'`: how far back, in seconds, piled-up fires are still run one by one;
   * older ones are recorded as one missed range. Default 3,600.
   */
  backfillWindow?: number;
}

/** What a cluster job's callback receives: the in-process context plus the fire key and attempt. */
export interface ClusterJobContext extends JobContext {
  /** `<job id>@<scheduledAt as ISO 8601>`: unique per fire across the cluster; use it to make effects idempotent. */
  readonly fireKey: string;
  /** 1 for the first attempt; a retried run (after a crash) gets 2, 3, ... */
  readonly attempt: number;
}

export interface ClusterJobDefinition extends ClusterJobOptions {
  id: string;
  trigger: Trigger;
  run: (context: ClusterJobContext) => unknown;
}

export interface ClusterSchedulerOptions {
  /** Where schedules and runs live: `MemoryJobStore` (one process) or `PostgresJobStore` (a cluster). */
  store: JobStore;
  /** This process's name in the runs table. Default `<hostname>:<pid>:<random>`. */
  nodeId?: string;
  /** Milliseconds a claimed run stays ours without a renewal. Renewed every third of it. Default 30,000. */
  leaseMs?: number;
  /** Longest sleep between looks at the store, in milliseconds (a safety net under notifications). Default 5,000. */
  pollIntervalMs?: number;
  /**
   * How long before a fire it is written to the store, in milliseconds. The writing process claims
   * it in the same transaction (when an instance is free) and starts it at its time from its own
   * timer, with no store round trip then; if that process dies first, the fire is settled by
   * `onCrash` like a run it was running. Default 500; 0 writes and claims fires when they are due.
   */
  lookaheadMs?: number;
  /** Most schedules or runs handled per store transaction. Default 500. */
  batchSize?: number;
  jobDefaults?: Omit<ClusterJobOptions, 'startDate' | 'endDate' | 'timezone'>;
  /** Default zone for cron triggers. Default `'UTC'`. */
  timezone?: string;
  /** Do not keep the process alive just for the scheduler's timers. Default `false`. */
  unref?: boolean;
  /** The local clock; only used to time sleeps (due-ness is decided by the store's clock). */
  clock?: Clock;
  timers?: TimerSource;
  random?: () => number;
}

/** A job as the store holds it. */
export interface ClusterJobInfo extends Omit<JobInfo, 'options'> {
  options: JobInfo['options'] & {
    onCrash: OnCrashOption;
    maxAttempts: number;
    backfillWindow: number;
  };
}

/** Events of a `ClusterScheduler`: the in-process ones plus what leases add. */
export interface ClusterSchedulerEvents extends SchedulerEvents {
  /** A run's lease expired (its process died or stalled) and the job's `onCrash` is `'abandon'`. */
  abandoned: { jobId: string; scheduledAt: Date; owner: string; attempt: number };
  /** A run's lease expired and it will run again (`onCrash: 'retry'`), not before `dueAt`. */
  retried: { jobId: string; scheduledAt: Date; owner: string; attempt: number; dueAt: Date };
  /** This process lost a run's lease (it stalled past it, or the run was taken over): the run was aborted and its result not recorded. */
  lost: { jobId: string; scheduledAt: Date; attempt: number; reason: string };
  /** A store operation failed; the scheduler retries at its next wake. */
  storeError: { error: Error; operation: string };
}

export type ClusterEventName = keyof ClusterSchedulerEvents;
export type ClusterListener<E extends ClusterEventName> = (event: ClusterSchedulerEvents[E]) => void;

/** Internal: a job's kind and resolved options, as persisted. */
export interface StoredDefinition {
  kind: TriggerKind;
  trigger: Trigger;
  options: StoredOptions;
}

/** Resolved options in a JSON-safe form (milliseconds; null for no limit). */
export interface StoredOptions {
  coalesce: 'latest' | 'earliest' | 'all';
  maxInstances: number;
  graceMs: number | null;
  jitterMs: number;
  startMs: number | null;
  endMs: number | null;
  timezone: string;
  onError: 'stop' | 'continue';
  onCrash: OnCrashOption;
  maxAttempts: number;
  backfillMs: number;
  /** Interval jobs: the anchor (fire k at anchor + k x period). */
  anchorMs: number | null;
}

export type { JobDefinition };
