import { afterEach, describe, expect, it, vi } from 'vitest';
import { iso } from '../_test/harness.js';
import { SchedulerError } from '../errors.js';
import {
  anchored,
  decideClaims,
  firstFire,
  planFires,
  reapDelayMs,
  reapOutcome,
  resolveClusterDefaults,
  resolveClusterJob,
  scheduleOf,
} from './plan.js';
import type { NewRun, PendingRun, RunRow, ScheduleRow } from './store.js';
import type { ClusterJobDefinition } from './types.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const SECOND = 1000;
const HOUR = 3_600_000;
const defaults = resolveClusterDefaults(undefined, undefined);

type JobShape = Partial<Omit<ClusterJobDefinition, 'trigger'>> & Pick<ClusterJobDefinition, 'trigger'>;

/** A schedule row as the store holds it after `add` at `addedAt`. */
function scheduleRow(job: JobShape, addedAt = T0): ScheduleRow {
  const id = job.id ?? 'job';
  const { stored, hash } = resolveClusterJob({ id, run: () => {}, ...job }, defaults);
  const definition = anchored(stored, addedAt);
  return { id, hash, ...definition, nextFireAt: firstFire(definition, addedAt, id), paused: false };
}

/** Plans one transaction for `rows` (each with its running count) at `now`. */
function plan(rows: Array<ScheduleRow | [ScheduleRow, number]>, now: number, random: () => number = () => 0) {
  const due = rows.map((entry) =>
    Array.isArray(entry) ? { row: entry[0], running: entry[1] } : { row: entry, running: 0 },
  );
  return planFires(due, now, random);
}

const shape = (runs: NewRun[]) =>
  runs.map((run) => ({
    at: new Date(run.scheduledAt).toISOString(),
    state: run.state,
    range: run.rangeFrom === null ? null : iso([run.rangeFrom, run.rangeTo!]),
  }));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('planFires: on time', () => {
  it('runs a fire that is due, with the grace deadline, and advances to the next fire', () => {
    const row = scheduleRow({ trigger: { interval: 10 } });
    expect(row.nextFireAt).toBe(T0 + 10 * SECOND);
    const { runs, advance } = plan([row], T0 + 10 * SECOND + 3);
    expect(runs).toEqual([
      {
        scheduleId: 'job',
        scheduledAt: T0 + 10 * SECOND,
        dueAt: T0 + 10 * SECOND,
        deadline: T0 + 11 * SECOND,
        state: 'running',
        rangeFrom: null,
        rangeTo: null,
      },
    ]);
    expect(advance).toEqual(new Map([['job', T0 + 20 * SECOND]]));
  });

  it('plans every due schedule of the transaction independently', () => {
    const a = scheduleRow({ id: 'a', trigger: { interval: 10 } });
    const b = scheduleRow({ id: 'b', trigger: { cron: '*/5 * * * * *' } });
    const { runs, advance } = plan([a, b], T0 + 10 * SECOND);
    expect(runs.map((run) => [run.scheduleId, run.state])).toEqual([
      ['a', 'running'],
      ['b', 'running'],
    ]);
    expect(advance).toEqual(
      new Map([
        ['a', T0 + 20 * SECOND],
        ['b', T0 + 15 * SECOND],
      ]),
    );
  });
});

describe('planFires: coalescing a pile-up', () => {
  it('latest: one run for the most recent fire, carrying the range, advanced past now', () => {
    const row = scheduleRow({ trigger: { interval: 10 } });
    const now = T0 + HOUR + 500;
    const { runs, advance } = plan([row], now);
    expect(shape(runs)).toEqual([
      {
        at: new Date(T0 + HOUR).toISOString(),
        state: 'running',
        range: iso([T0 + 10 * SECOND, T0 + HOUR]),
      },
    ]);
    expect(advance.get('job')).toBe(T0 + HOUR + 10 * SECOND);
  });

  it('latest: a year of per-second fires costs one previous() and one next() call', () => {
    const row = scheduleRow({ trigger: { cron: '* * * * * *' } });
    const schedule = scheduleOf(row, row.id)!;
    const previous = vi.spyOn(schedule, 'previous');
    const next = vi.spyOn(schedule, 'next');
    const now = T0 + 365 * 24 * HOUR + 500;
    const { runs, advance } = plan([row], now);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.scheduledAt).toBe(T0 + 365 * 24 * HOUR);
    expect(runs[0]!.rangeFrom).toBe(T0 + SECOND);
    expect(advance.get('job')).toBe(T0 + 365 * 24 * HOUR + SECOND);
    expect(previous).toHaveBeenCalledTimes(1);
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('earliest: one run for the oldest fire, with the range; past the grace time it is missed', () => {
    const now = T0 + HOUR + 5 * SECOND;
    const lenient = scheduleRow({
      id: 'lenient',
      trigger: { interval: 10 },
      coalesce: 'earliest',
      misfireGraceTime: null,
    });
    const strict = scheduleRow({ id: 'strict', trigger: { interval: 10 }, coalesce: 'earliest' });
    const { runs, advance } = plan([lenient, strict], now);
    expect(shape(runs)).toEqual([
      {
        at: new Date(T0 + 10 * SECOND).toISOString(),
        state: 'running',
        range: iso([T0 + 10 * SECOND, T0 + HOUR]),
      },
      {
        at: new Date(T0 + 10 * SECOND).toISOString(),
        state: 'missed',
        range: iso([T0 + 10 * SECOND, T0 + HOUR]),
      },
    ]);
    expect(runs[0]!.deadline).toBeNull();
    // Both go on after the latest due fire, whichever one ran.
    expect(advance.get('lenient')).toBe(T0 + HOUR + 10 * SECOND);
    expect(advance.get('strict')).toBe(T0 + HOUR + 10 * SECOND);
  });

  it('earliest: costs O(1) parser calls too', () => {
    const row = scheduleRow({ trigger: { cron: '* * * * * *' }, coalesce: 'earliest' });
    const schedule = scheduleOf(row, row.id)!;
    const previous = vi.spyOn(schedule, 'previous');
    const next = vi.spyOn(schedule, 'next');
    plan([row], T0 + 30 * 24 * HOUR);
    expect(previous.mock.calls.length + next.mock.calls.length).toBeLessThanOrEqual(2);
  });

  it('all: one run per due fire, each checked against the grace time', () => {
    const row = scheduleRow({ trigger: { interval: 10 }, coalesce: 'all', maxInstances: 100 });
    const now = T0 + 50 * SECOND + 500;
    const { runs, advance } = plan([row], now);
    expect(shape(runs)).toEqual(
      [10, 20, 30, 40, 50].map((s) => ({
        at: new Date(T0 + s * SECOND).toISOString(),
        state: s === 50 ? 'running' : 'missed',
        range: null,
      })),
    );
    expect(advance.get('job')).toBe(T0 + 60 * SECOND);
  });

  it('all: over maxInstances the further fires are skipped, counting runs already going', () => {
    const row = scheduleRow({
      trigger: { interval: 10 },
      coalesce: 'all',
      maxInstances: 3,
      misfireGraceTime: null,
    });
    const { runs } = plan([[row, 1]], T0 + 40 * SECOND);
    expect(runs.map((run) => run.state)).toEqual(['running', 'running', 'skipped', 'skipped']);
  });

  it('all: fires older than the backfill window become one missed run with the range', () => {
    const row = scheduleRow({
      trigger: { interval: 10 },
      coalesce: 'all',
      backfillWindow: 60,
      misfireGraceTime: null,
      maxInstances: 100,
    });
    const now = T0 + HOUR + 5 * SECOND;
    const { runs, advance } = plan([row], now);
    const [range, ...kept] = runs;
    // The window is [now - 60 s, now]: fires at 3550 s .. 3600 s are still run one by one.
    expect(range).toEqual({
      scheduleId: 'job',
      scheduledAt: T0 + 3540 * SECOND,
      dueAt: T0 + 3540 * SECOND,
      deadline: T0 + 3540 * SECOND,
      state: 'missed',
      rangeFrom: T0 + 10 * SECOND,
      rangeTo: T0 + 3540 * SECOND,
    });
    expect(kept.map((run) => (run.scheduledAt - T0) / SECOND)).toEqual([3550, 3560, 3570, 3580, 3590, 3600]);
    expect(kept.every((run) => run.state === 'running' && run.rangeFrom === null)).toBe(true);
    expect(advance.get('job')).toBe(T0 + 3610 * SECOND);
  });

  it('all: a backfill window of 0 keeps only a fire exactly at now', () => {
    const row = scheduleRow({
      trigger: { interval: 10 },
      coalesce: 'all',
      backfillWindow: 0,
      misfireGraceTime: null,
    });
    const { runs } = plan([row], T0 + 100 * SECOND);
    expect(shape(runs)).toEqual([
      {
        at: new Date(T0 + 90 * SECOND).toISOString(),
        state: 'missed',
        range: iso([T0 + 10 * SECOND, T0 + 90 * SECOND]),
      },
      { at: new Date(T0 + 100 * SECOND).toISOString(), state: 'running', range: null },
    ]);
  });

  it('all: materialises at most 1,000 fires per transaction and leaves the rest due, none lost', () => {
    let row = scheduleRow({
      trigger: { interval: 1 },
      coalesce: 'all',
      backfillWindow: 10_000,
      maxInstances: 1,
    });
    const now = T0 + 2500 * SECOND + 200;
    const chunks: number[][] = [];
    for (
      let transaction = 0;
      transaction < 5 && row.nextFireAt !== null && row.nextFireAt <= now;
      transaction++
    ) {
      const { runs, advance } = plan([row], now);
      chunks.push(runs.map((run) => (run.scheduledAt - T0) / SECOND));
      row = { ...row, nextFireAt: advance.get('job')! };
    }
    expect(chunks.map((chunk) => chunk.length)).toEqual([1000, 1000, 500]);
    expect(chunks.flat()).toEqual(Array.from({ length: 2500 }, (_, index) => index + 1));
    expect(row.nextFireAt).toBe(T0 + 2501 * SECOND);
  });
});

describe('planFires: grace, jitter and maxInstances', () => {
  it('misses a fire later than misfireGraceTime, runs one within it; null means no limit', () => {
    const strict = scheduleRow({ id: 'strict', trigger: { interval: 10 } });
    const lenient = scheduleRow({ id: 'lenient', trigger: { interval: 10 }, misfireGraceTime: null });
    const late = plan([strict, lenient], T0 + 11 * SECOND + 500);
    expect(late.runs.map((run) => [run.scheduleId, run.state, run.deadline])).toEqual([
      ['strict', 'missed', T0 + 11 * SECOND],
      ['lenient', 'running', null],
    ]);
    // Exactly at the deadline still runs.
    expect(plan([strict], T0 + 11 * SECOND).runs[0]!.state).toBe('running');
    // Both advance either way.
    expect(late.advance.get('strict')).toBe(T0 + 20 * SECOND);
  });

  it('jitter: the run waits as pending, its deadline counted from the jittered time, before the next fire', () => {
    const row = scheduleRow({ trigger: { interval: 5 }, jitter: 10 });
    const { runs, advance } = plan([row], T0 + 5 * SECOND, () => 0.999_999);
    const [run] = runs;
    expect(run!.state).toBe('pending');
    expect(run!.scheduledAt).toBe(T0 + 5 * SECOND);
    expect(run!.dueAt).toBeGreaterThan(T0 + 9 * SECOND);
    // Never reaching the next fire at 10 s.
    expect(run!.dueAt).toBeLessThan(T0 + 10 * SECOND);
    expect(run!.deadline).toBe(run!.dueAt + SECOND);
    expect(advance.get('job')).toBe(T0 + 10 * SECOND);
  });

  it('jitter: a zero draw runs at once; a date job gets the whole jitter', () => {
    const interval = scheduleRow({ id: 'interval', trigger: { interval: 5 }, jitter: 2 });
    expect(plan([interval], T0 + 5 * SECOND, () => 0).runs[0]!.state).toBe('running');
    const date = scheduleRow({ id: 'date', trigger: { date: T0 + HOUR }, jitter: 600 });
    const { runs } = plan([date], T0 + HOUR, () => 0.5);
    expect(runs[0]).toMatchObject({
      state: 'pending',
      scheduledAt: T0 + HOUR,
      dueAt: T0 + HOUR + 300 * SECOND,
    });
  });

  it('maxInstances counts the runs already going cluster-wide: over it the fire is skipped', () => {
    const one = scheduleRow({ id: 'one', trigger: { interval: 10 } });
    const two = scheduleRow({ id: 'two', trigger: { interval: 10 }, maxInstances: 2 });
    const { runs, advance } = plan(
      [
        [one, 1],
        [two, 1],
      ],
      T0 + 10 * SECOND,
    );
    expect(runs.map((run) => [run.scheduleId, run.state])).toEqual([
      ['one', 'skipped'],
      ['two', 'running'],
    ]);
    expect(advance.get('one')).toBe(T0 + 20 * SECOND);
  });

  it('claims a fire ahead of its time within claimAheadMs and a free instance; otherwise it waits pending', () => {
    const one = scheduleRow({ id: 'one', trigger: { interval: 10 } });
    const two = scheduleRow({ id: 'two', trigger: { interval: 10 }, maxInstances: 2 });
    const busy = scheduleRow({ id: 'busy', trigger: { interval: 10 } });
    const far = scheduleRow({ id: 'far', trigger: { interval: 10 }, jitter: 5 });
    const at = T0 + 10 * SECOND;
    const due = [
      { row: one, running: 0 },
      { row: two, running: 1 },
      { row: busy, running: 1 },
      { row: far, running: 0 },
    ];
    const { runs } = planFires(due, at - 500, () => 0.5, 500);
    expect(runs.map((run) => [run.scheduleId, run.state, run.dueAt - at])).toEqual([
      ['one', 'running', 0],
      ['two', 'running', 0],
      ['busy', 'pending', 0],
      ['far', 'pending', 2500],
    ]);
    // Without claimAheadMs (the default) every fire ahead of its time waits pending.
    expect(planFires(due, at - 500, () => 0.5).runs.map((run) => run.state)).toEqual([
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
  });

  it('a pending (jittered) fire is never skipped at planning time: the claim decides', () => {
    const row = scheduleRow({ trigger: { interval: 60 }, jitter: 30 });
    expect(plan([[row, 1]], T0 + 60 * SECOND, () => 0.5).runs[0]!.state).toBe('pending');
  });
});

describe('planFires: triggers and bounds', () => {
  it('a date job fires once and finishes (advance null)', () => {
    const row = scheduleRow({ trigger: { date: T0 + HOUR } });
    expect(row.nextFireAt).toBe(T0 + HOUR);
    const { runs, advance } = plan([row], T0 + HOUR + 10);
    expect(shape(runs)).toEqual([{ at: new Date(T0 + HOUR).toISOString(), state: 'running', range: null }]);
    expect(advance).toEqual(new Map([['job', null]]));
  });

  it('a date job added after its date: runs within the grace time, else missed; finished either way', () => {
    const recent = scheduleRow({ id: 'recent', trigger: { date: T0 - 500 } });
    const old = scheduleRow({ id: 'old', trigger: { date: T0 - HOUR } });
    expect(recent.nextFireAt).toBe(T0 - 500);
    const { runs, advance } = plan([recent, old], T0);
    expect(runs.map((run) => [run.scheduleId, run.state])).toEqual([
      ['recent', 'running'],
      ['old', 'missed'],
    ]);
    expect(advance).toEqual(
      new Map([
        ['recent', null],
        ['old', null],
      ]),
    );
  });

  it('startDate: no fire before it; an interval is anchored there', () => {
    const row = scheduleRow({ trigger: { interval: 60 }, startDate: T0 + HOUR });
    expect(row.options.anchorMs).toBe(T0 + HOUR);
    expect(row.nextFireAt).toBe(T0 + HOUR + 60 * SECOND);
    const cron = scheduleRow({
      id: 'cron',
      trigger: { cron: '*/10 * * * *' },
      startDate: T0 + 25 * 60 * SECOND,
    });
    expect(cron.nextFireAt).toBe(T0 + 30 * 60 * SECOND);
  });

  it('endDate: the last fire in range finishes the schedule, also after a pile-up', () => {
    const row = scheduleRow({ trigger: { interval: 10 }, endDate: T0 + 30 * SECOND });
    const onTime = plan([{ ...row, nextFireAt: T0 + 30 * SECOND }], T0 + 30 * SECOND);
    expect(onTime.runs.map((run) => run.state)).toEqual(['running']);
    expect(onTime.advance.get('job')).toBeNull();
    const pile = plan([row], T0 + HOUR);
    // latest of the fires in range (10, 20, 30 s) is 30 s, an hour late: missed, and nothing is left.
    expect(shape(pile.runs)).toEqual([
      {
        at: new Date(T0 + 30 * SECOND).toISOString(),
        state: 'missed',
        range: iso([T0 + 10 * SECOND, T0 + 30 * SECOND]),
      },
    ]);
    expect(pile.advance.get('job')).toBeNull();
    const all = plan([{ ...row, options: { ...row.options, coalesce: 'all', graceMs: null } }], T0 + HOUR);
    expect(all.runs.map((run) => (run.scheduledAt - T0) / SECOND)).toEqual([10, 20, 30]);
    expect(all.advance.get('job')).toBeNull();
  });

  it('a finished schedule (nextFireAt null) and a daemon plan nothing and are not advanced', () => {
    const finished = { ...scheduleRow({ id: 'finished', trigger: { date: T0 } }), nextFireAt: null };
    const daemon = scheduleRow({ id: 'daemon', trigger: { daemon: true } });
    expect(daemon.nextFireAt).toBeNull();
    expect(plan([finished, daemon], T0 + HOUR)).toEqual({ runs: [], advance: new Map() });
  });
});

describe('decideClaims', () => {
  let sequence = 0;
  const pending = (schedule: ScheduleRow, overrides: Partial<RunRow> = {}, running = 0): PendingRun => ({
    schedule,
    running,
    run: {
      id: String(++sequence),
      scheduleId: schedule.id,
      scheduledAt: T0,
      dueAt: T0,
      deadline: null,
      state: 'pending',
      owner: null,
      leaseUntil: null,
      attempt: 0,
      rangeFrom: null,
      rangeTo: null,
      error: null,
      manual: false,
      ...overrides,
    },
  });

  it('misses a run past its deadline, and starts one within it', () => {
    const schedule = scheduleRow({ trigger: { interval: 10 }, maxInstances: 5 });
    const late = pending(schedule, { deadline: T0 + 999 });
    const onTime = pending(schedule, { deadline: T0 + 1000 });
    expect(decideClaims([late, onTime], T0 + 1000)).toEqual([
      { id: late.run.id, state: 'missed' },
      { id: onTime.run.id, state: 'running' },
    ]);
  });

  it('starts runs up to maxInstances, counting live runs and earlier decisions; a first attempt over it is skipped', () => {
    const schedule = scheduleRow({ trigger: { interval: 10 }, maxInstances: 2 });
    const runs = [pending(schedule, {}, 1), pending(schedule, {}, 1), pending(schedule, {}, 1)];
    expect(decideClaims(runs, T0).map((decision) => decision.state)).toEqual([
      'running',
      'skipped',
      'skipped',
    ]);
  });

  it('counts per schedule', () => {
    const a = scheduleRow({ id: 'a', trigger: { interval: 10 } });
    const b = scheduleRow({ id: 'b', trigger: { interval: 10 } });
    const decisions = decideClaims([pending(a), pending(b), pending(a)], T0);
    expect(decisions.map((decision) => decision.state)).toEqual(['running', 'running', 'skipped']);
  });

  it('a retry (attempt > 0) or a daemon over maxInstances waits (no decision) instead of being skipped', () => {
    const retrying = scheduleRow({ id: 'retrying', trigger: { interval: 10 }, onCrash: 'retry' });
    const daemon = scheduleRow({ id: 'daemon', trigger: { daemon: true } });
    const retry = pending(retrying, { attempt: 1 }, 1);
    const daemonRun = pending(daemon, { attempt: 3, scheduledAt: 0 }, 1);
    expect(decideClaims([retry, daemonRun], T0)).toEqual([]);
    expect(decideClaims([pending(retrying, { attempt: 1 })], T0)).toEqual([
      { id: String(sequence), state: 'running' },
    ]);
  });

  it('a daemon is never missed, whatever its deadline', () => {
    const daemon = scheduleRow({ trigger: { daemon: true } });
    const run = pending(daemon, { deadline: T0 - HOUR });
    expect(decideClaims([run], T0)).toEqual([{ id: run.run.id, state: 'running' }]);
  });
});

describe('reapOutcome and reapDelayMs', () => {
  const abandon = scheduleRow({ id: 'abandon', trigger: { interval: 10 } });
  const retry = scheduleRow({ id: 'retry', trigger: { interval: 10 }, onCrash: 'retry', maxAttempts: 3 });
  const daemon = scheduleRow({ id: 'daemon', trigger: { daemon: true } });

  it('abandons by default, retries until maxAttempts then fails, always takes a daemon back', () => {
    expect(reapOutcome(abandon, 1)).toBe('abandoned');
    expect([1, 2, 3].map((attempt) => reapOutcome(retry, attempt))).toEqual(['retried', 'retried', 'failed']);
    expect(reapOutcome(daemon, 50)).toBe('retried');
    expect(reapOutcome(undefined, 1)).toBe('abandoned');
  });

  it('backs a retry off 1 s, 2 s, 4 s, ... up to 60 s; a daemon is taken over at once', () => {
    expect([1, 2, 3, 4, 7, 20].map((attempt) => reapDelayMs(retry, attempt))).toEqual([
      1000, 2000, 4000, 8000, 60_000, 60_000,
    ]);
    expect(reapDelayMs(daemon, 3)).toBe(0);
  });
});

describe('resolveClusterJob', () => {
  const resolve = (job: Record<string, unknown>) =>
    resolveClusterJob(
      { id: 'nightly', trigger: { interval: 10 }, run: () => {}, ...job } as ClusterJobDefinition,
      defaults,
    );

  const caught = (action: () => unknown): SchedulerError => {
    try {
      action();
    } catch (error) {
      if (SchedulerError.is(error)) return error;
      throw error;
    }
    throw new Error('Expected a SchedulerError');
  };

  it.each([
    [{ onCrash: 'explode' }, 'Job "nightly": expected onCrash to be "abandon" or "retry", found "explode".'],
    [{ maxAttempts: 0 }, 'Job "nightly": expected maxAttempts to be an integer >= 1, found 0.'],
    [{ maxAttempts: 1.5 }, 'Job "nightly": expected maxAttempts to be an integer >= 1, found 1.5.'],
    [{ maxAttempts: '3' }, 'Job "nightly": expected maxAttempts to be an integer >= 1, found "3".'],
    [
      { backfillWindow: -1 },
      'Job "nightly": expected backfillWindow to be a number of seconds >= 0, found -1.',
    ],
    [
      { backfillWindow: Number.POSITIVE_INFINITY },
      'Job "nightly": expected backfillWindow to be a number of seconds >= 0, found Infinity.',
    ],
    [
      { backfillWindow: Number.NaN },
      'Job "nightly": expected backfillWindow to be a number of seconds >= 0, found NaN.',
    ],
  ])('rejects %o with a message naming the job', (options, message) => {
    const error = caught(() => resolve(options));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.jobId).toBe('nightly');
    expect(error.message).toBe(message);
  });

  it('suggests and lists the cluster options for a misspelt one', () => {
    const error = caught(() => resolve({ onCrsh: 'retry' }));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toMatch(
      /^Job "nightly": unknown option "onCrsh" \(did you mean "onCrash"\?\); expected one of .*onCrash, maxAttempts, backfillWindow\.$/,
    );
  });

  it('rejects invalid cluster jobDefaults, naming them', () => {
    const error = caught(() => resolveClusterDefaults({ onCrash: 'never' as 'retry' }, undefined));
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toBe('JobDefaults: expected onCrash to be "abandon" or "retry", found "never".');
  });

  it('still rejects the in-process errors, naming the job', () => {
    expect(caught(() => resolve({ trigger: { cron: '61 * * * *' } })).message).toMatch(/^Job "nightly": /);
    expect(caught(() => resolve({ maxInstances: 0 })).message).toMatch(
      /^Job "nightly": expected maxInstances/,
    );
  });

  it('keeps the cluster options and defaults in the stored definition; daemons get maxInstances 1', () => {
    const custom = resolve({ onCrash: 'retry', maxAttempts: 2, backfillWindow: 30, maxInstances: 4 });
    expect(custom.stored.options).toMatchObject({
      onCrash: 'retry',
      maxAttempts: 2,
      backfillMs: 30_000,
      maxInstances: 4,
    });
    expect(resolve({}).stored.options).toMatchObject({
      onCrash: 'abandon',
      maxAttempts: 5,
      backfillMs: 3_600_000,
    });
    const daemon = resolve({ trigger: { daemon: true }, maxInstances: 4 });
    expect(daemon.stored.options.maxInstances).toBe(1);
    const withDefaults = resolveClusterJob(
      { id: 'x', trigger: { interval: 1 }, run: () => {} },
      resolveClusterDefaults({ onCrash: 'retry', maxAttempts: 9 }, 'Europe/Paris'),
    );
    expect(withDefaults.stored.options).toMatchObject({
      onCrash: 'retry',
      maxAttempts: 9,
      timezone: 'Europe/Paris',
    });
  });

  it('hashes the definition: the same job on every replica hashes alike, another one does not', () => {
    const first = resolve({ run: () => 1 });
    const again = resolve({ run: () => 2, coalesce: true });
    expect(again.hash).toBe(first.hash);
    expect(resolve({ trigger: { interval: 11 } }).hash).not.toBe(first.hash);
    expect(resolve({ onCrash: 'retry' }).hash).not.toBe(first.hash);
  });
});
