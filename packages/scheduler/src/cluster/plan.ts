import { createHash } from 'node:crypto';
import { acquireCronSchedule } from '../cron/cron-schedule.js';
import { SchedulerError } from '../errors.js';
import {
  type ResolvedOptions,
  resolveDefaults,
  resolveJobOptions,
  toEpochMs,
  triggerKind,
  validateJobShape,
} from '../options.js';
import { BoundedSchedule, DateSchedule, IntervalSchedule, type Schedule } from '../schedule.js';
import { TimeZone } from '../time-zone.js';
import type { CronTrigger, DateTrigger, IntervalTrigger, JobDefinition, Trigger } from '../types.js';
import type { ClaimDecision, DueSchedule, FirePlan, NewRun, PendingRun, ScheduleRow } from './store.js';
import type {
  ClusterJobDefinition,
  ClusterJobOptions,
  OnCrashOption,
  StoredDefinition,
  StoredOptions,
} from './types.js';

const CLUSTER_KEYS = ['onCrash', 'maxAttempts', 'backfillWindow'] as const;
// NOTE: with `coalesce: 'all'`, one transaction materialises at most this many fires of a schedule;
// the rest stay due and are taken by the next transaction (on any process).
const CATCH_UP_CHUNK = 1000;

/** Scheduler-wide defaults, resolved once. */
export interface ClusterDefaults {
  base: Omit<ResolvedOptions, 'startMs' | 'endMs'>;
  onCrash: OnCrashOption;
  maxAttempts: number;
  backfillMs: number;
}

export function resolveClusterDefaults(
  defaults: Omit<ClusterJobOptions, 'startDate' | 'endDate' | 'timezone'> | undefined,
  timezone: string | undefined,
): ClusterDefaults {
  const { rest, cluster } = splitClusterOptions(defaults ?? {});
  const resolved = resolveCluster(cluster, 'jobDefaults', undefined, {
    onCrash: 'abandon',
    maxAttempts: 5,
    backfillMs: 3_600_000,
  });
  return { base: resolveDefaults(rest, timezone), ...resolved };
}

/** Validates a job and turns it into what the store keeps, with the hash that identifies it. */
export function resolveClusterJob(
  job: ClusterJobDefinition,
  defaults: ClusterDefaults,
): { stored: StoredDefinition; hash: string } {
  validateJobShape(job, CLUSTER_KEYS);
  const { rest, cluster } = splitClusterOptions(job as unknown as Record<string, unknown>);
  const kind = triggerKind(job.trigger, job.id);
  const resolved = resolveJobOptions(rest as unknown as JobDefinition, defaults.base);
  const extra = resolveCluster(cluster, `job "${job.id}"`, job.id, defaults);
  const trigger = normaliseTrigger(job.trigger, kind, job.id);
  const options: StoredOptions = {
    coalesce: resolved.coalesce,
    maxInstances: kind === 'daemon' ? 1 : resolved.maxInstances,
    graceMs: Number.isFinite(resolved.graceMs) ? resolved.graceMs : null,
    jitterMs: resolved.jitterMs,
    startMs: Number.isFinite(resolved.startMs) ? resolved.startMs : null,
    endMs: Number.isFinite(resolved.endMs) ? resolved.endMs : null,
    timezone: resolved.zone.name,
    onError: resolved.onError,
    onCrash: extra.onCrash,
    maxAttempts: extra.maxAttempts,
    backfillMs: extra.backfillMs,
    anchorMs: null,
  };
  const stored: StoredDefinition = { kind, trigger, options };
  if (kind === 'cron') scheduleOf(stored, job.id);
  const hash = createHash('sha256').update(JSON.stringify(stored)).digest('hex').slice(0, 32);
  return { stored, hash };
}

/** The definition as first written to the store at `now`: an interval without a start is anchored there. */
export function anchored(stored: StoredDefinition, now: number): StoredDefinition {
  if (stored.kind !== 'interval' || stored.options.anchorMs !== null) return stored;
  // NOTE: whole milliseconds: a database clock has microseconds, but stores read fire times back
  // rounded to the millisecond: with a fractional anchor a process re-planned the same rounded fire
  // in a busy loop until the next period (then coalesced into it).
  return { ...stored, options: { ...stored.options, anchorMs: stored.options.startMs ?? Math.floor(now) } };
}

/** A definition's first fire at `now`: strictly after now, except a date (the grace time decides). */
export function firstFire(stored: StoredDefinition, now: number, jobId: string): number | null {
  const schedule = scheduleOf(stored, jobId);
  if (schedule === undefined) return null;
  return stored.kind === 'date' ? schedule.next(Number.NEGATIVE_INFINITY) : schedule.next(now);
}

const schedules = new Map<string, Schedule>();

/** The fire times of a stored definition (undefined for daemons); cached by definition. */
export function scheduleOf(stored: StoredDefinition, jobId: string): Schedule | undefined {
  if (stored.kind === 'daemon') return undefined;
  // NOTE: callers pass whole schedule rows, whose next fire time changes at every fire; keying on
  // the definition alone keeps the cache hitting (and the key small) at 1,000 fires per second.
  const key = JSON.stringify([stored.kind, stored.trigger, stored.options]);
  let schedule = schedules.get(key);
  if (schedule !== undefined) return schedule;
  const { options } = stored;
  switch (stored.kind) {
    case 'cron':
      try {
        schedule = acquireCronSchedule((stored.trigger as CronTrigger).cron, TimeZone.of(options.timezone));
      } catch (error) {
        if (SchedulerError.is(error)) {
          throw new SchedulerError(error.code, `Job "${jobId}": ${error.message}`, {
            jobId,
            field: error.field,
            cause: error.cause,
          });
        }
        throw error;
      }
      break;
    case 'interval':
      schedule = new IntervalSchedule(
        options.anchorMs ?? options.startMs ?? 0,
        (stored.trigger as IntervalTrigger).interval * 1000,
      );
      break;
    case 'date':
      schedule = new DateSchedule(toEpochMs((stored.trigger as DateTrigger).date, 'trigger.date', jobId));
      break;
  }
  if (options.startMs !== null || options.endMs !== null) {
    schedule = new BoundedSchedule(
      schedule,
      options.startMs ?? Number.NEGATIVE_INFINITY,
      options.endMs ?? Number.POSITIVE_INFINITY,
    );
  }
  // NOTE: an interval's anchor is part of the key, so a replaced definition never reuses an old entry.
  if (schedules.size > 10_000) schedules.clear();
  schedules.set(key, schedule);
  return schedule;
}

/**
 * Decides, inside the store's transaction, which fires of the due schedules to insert as runs and
 * where each schedule goes next: the coalesce policy with O(1) parser calls for `latest` and
 * `earliest`, a bounded backfill for `all`, the grace time, jitter, and cluster-wide `maxInstances`.
 * A fire due by `now + claimAheadMs` within `maxInstances` is claimed (`running`), even ahead of
 * its time; any other fire ahead of its time waits `pending` for the claim at its time; a fire due
 * now over `maxInstances` is skipped.
 */
export function planFires(due: DueSchedule[], now: number, random: () => number, claimAheadMs = 0): FirePlan {
  const runs: NewRun[] = [];
  const advance = new Map<string, number | null>();
  for (const { row, running: alreadyRunning } of due) {
    let running = alreadyRunning;
    const schedule = scheduleOf(row, row.id);
    const first = row.nextFireAt;
    if (schedule === undefined || first === null) continue;
    const { options } = row;
    const add = (at: number, rangeFrom: number | null, rangeTo: number | null, jitter: boolean): void => {
      const dueAt = jitter ? at + jitterOf(schedule, at, options.jitterMs, random) : at;
      const deadline = options.graceMs === null ? null : dueAt + options.graceMs;
      let state: NewRun['state'];
      if (deadline !== null && now > deadline) state = 'missed';
      else if (dueAt <= now + claimAheadMs && running < options.maxInstances) {
        // NOTE: a fire up to `claimAheadMs` ahead of its time is claimed now (its lease counts from
        // its time), so that its owner starts it then with no store round trip; it counts as an
        // instance from now. A fire further ahead (jitter) waits pending for the claim at its time.
        state = 'running';
        running++;
      } else if (dueAt > now) state = 'pending';
      else state = 'skipped';
      runs.push({ scheduleId: row.id, scheduledAt: at, dueAt, deadline, state, rangeFrom, rangeTo });
    };
    const shortestPeriod = row.kind === 'interval' ? (row.trigger as IntervalTrigger).interval * 1000 : 1000;
    let cursor: number;
    if (row.kind === 'date' || now < first + shortestPeriod) {
      add(first, null, null, true);
      cursor = first;
    } else if (options.coalesce === 'all') {
      let fire: number | null = first;
      cursor = first;
      const windowStart = now - options.backfillMs;
      const lastDropped = first < windowStart ? schedule.previous(windowStart - 1) : null;
      if (lastDropped !== null && lastDropped >= first) {
        // Fires older than the backfill window become one missed run standing for the whole range.
        runs.push({
          scheduleId: row.id,
          scheduledAt: lastDropped,
          dueAt: lastDropped,
          deadline: lastDropped,
          state: 'missed',
          rangeFrom: first,
          rangeTo: lastDropped,
        });
        cursor = lastDropped;
        fire = schedule.next(lastDropped);
      }
      for (let count = 0; fire !== null && fire <= now && count < CATCH_UP_CHUNK; count++) {
        add(fire, null, null, false);
        cursor = fire;
        fire = schedule.next(fire);
      }
    } else {
      const latest = Math.max(schedule.previous(now) ?? first, first);
      const chosen = options.coalesce === 'latest' ? latest : first;
      add(chosen, latest > first ? first : null, latest > first ? latest : null, false);
      cursor = latest;
    }
    advance.set(row.id, schedule.next(cursor));
  }
  return { runs, advance };
}

/**
 * Decides pending runs (jittered fires, retries, daemons, `runNow`) inside the claim transaction:
 * past the deadline is missed; within `maxInstances` starts; over it, a first attempt is skipped
 * and a retry or daemon waits.
 */
export function decideClaims(pending: PendingRun[], now: number): ClaimDecision[] {
  const running = new Map<string, number>();
  const decisions: ClaimDecision[] = [];
  for (const { run, schedule, running: live } of pending) {
    const count = running.get(schedule.id) ?? live;
    if (run.deadline !== null && now > run.deadline && schedule.kind !== 'daemon') {
      decisions.push({ id: run.id, state: 'missed' });
    } else if (count < schedule.options.maxInstances) {
      running.set(schedule.id, count + 1);
      decisions.push({ id: run.id, state: 'running' });
    } else if (run.attempt === 0 && schedule.kind !== 'daemon') {
      decisions.push({ id: run.id, state: 'skipped' });
    }
  }
  return decisions;
}

/** What an expired lease becomes: daemons always run again; `retry` until `maxAttempts`. */
export function reapOutcome(
  schedule: ScheduleRow | undefined,
  attempt: number,
): 'abandoned' | 'retried' | 'failed' {
  if (schedule?.kind === 'daemon') return 'retried';
  if (schedule?.options.onCrash !== 'retry') return 'abandoned';
  return attempt < schedule.options.maxAttempts ? 'retried' : 'failed';
}

/** How long a reaped run waits: a daemon is taken over at once; a retry backs off 1 s, 2 s, 4 s, ... up to 60 s. */
export function reapDelayMs(schedule: ScheduleRow | undefined, attempt: number): number {
  if (schedule?.kind === 'daemon') return 0;
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

export function leaseExpiredMessage(owner: string, attempt: number): string {
  return `The lease of ${owner} on attempt ${attempt} expired (the process died or stalled).`;
}

/** The schedule row's options as the in-process `JobInfo` shows them. */
export function describeOptions(row: ScheduleRow) {
  const { options } = row;
  return {
    coalesce: options.coalesce,
    maxInstances: options.maxInstances,
    misfireGraceTime: options.graceMs === null ? null : options.graceMs / 1000,
    jitter: options.jitterMs / 1000,
    timezone: options.timezone,
    onError: options.onError,
    onCrash: options.onCrash,
    maxAttempts: options.maxAttempts,
    backfillWindow: options.backfillMs / 1000,
    startDate: options.startMs === null ? null : new Date(options.startMs),
    endDate: options.endMs === null ? null : new Date(options.endMs),
  };
}

function jitterOf(schedule: Schedule, at: number, jitterMs: number, random: () => number): number {
  if (jitterMs === 0) return 0;
  const following = schedule.next(at);
  // Forward only, and strictly before the following fire.
  const room = following === null ? jitterMs : Math.min(jitterMs, following - at - 1);
  return Math.max(0, room) * random();
}

function normaliseTrigger(trigger: Trigger, kind: StoredDefinition['kind'], jobId: string): Trigger {
  switch (kind) {
    case 'cron': {
      const cron = trigger as CronTrigger;
      return cron.timezone === undefined
        ? { cron: cron.cron.trim() }
        : { cron: cron.cron.trim(), timezone: cron.timezone };
    }
    case 'interval':
      return { interval: (trigger as IntervalTrigger).interval };
    case 'date':
      return {
        date: new Date(
          toEpochMs((trigger as DateTrigger).date, `job "${jobId}" trigger.date`, jobId, 'INVALID_TRIGGER'),
        ).toISOString(),
      };
    default:
      return { daemon: true };
  }
}

function splitClusterOptions(record: Record<string, unknown>): {
  rest: Record<string, unknown>;
  cluster: Partial<Record<(typeof CLUSTER_KEYS)[number], unknown>>;
} {
  const rest = { ...record };
  const cluster: Partial<Record<(typeof CLUSTER_KEYS)[number], unknown>> = {};
  for (const key of CLUSTER_KEYS) {
    if (key in rest) {
      cluster[key] = rest[key];
      delete rest[key];
    }
  }
  return { rest, cluster };
}

function resolveCluster(
  cluster: Partial<Record<(typeof CLUSTER_KEYS)[number], unknown>>,
  where: string,
  jobId: string | undefined,
  base: Pick<ClusterDefaults, 'onCrash' | 'maxAttempts' | 'backfillMs'>,
): Pick<ClusterDefaults, 'onCrash' | 'maxAttempts' | 'backfillMs'> {
  const result = { onCrash: base.onCrash, maxAttempts: base.maxAttempts, backfillMs: base.backfillMs };
  const fail = (key: string, expected: string, found: unknown): never => {
    throw new SchedulerError(
      'INVALID_OPTION',
      `${where.charAt(0).toUpperCase()}${where.slice(1)}: expected ${key} to be ${expected}, found ${
        typeof found === 'string' ? JSON.stringify(found) : String(found)
      }.`,
      { jobId },
    );
  };
  if (cluster.onCrash !== undefined) {
    if (cluster.onCrash !== 'abandon' && cluster.onCrash !== 'retry')
      fail('onCrash', '"abandon" or "retry"', cluster.onCrash);
    result.onCrash = cluster.onCrash as OnCrashOption;
  }
  if (cluster.maxAttempts !== undefined) {
    const value = cluster.maxAttempts;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      fail('maxAttempts', 'an integer >= 1', value);
    result.maxAttempts = value as number;
  }
  if (cluster.backfillWindow !== undefined) {
    const value = cluster.backfillWindow;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      fail('backfillWindow', 'a number of seconds >= 0', value);
    }
    result.backfillMs = (value as number) * 1000;
  }
  return result;
}
