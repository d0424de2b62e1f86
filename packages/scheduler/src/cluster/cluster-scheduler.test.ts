import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { iso } from '../_test/harness.js';
import type { SchedulerError } from '../errors.js';
import { FakeTime } from '../testing.js';
import { ClusterScheduler } from './cluster-scheduler.js';
import { MemoryJobStore } from './memory-store.js';
import { planFires } from './plan.js';
import type { JobStore } from './store.js';
import type {
  ClusterEventName,
  ClusterJobContext,
  ClusterSchedulerEvents,
  ClusterSchedulerOptions,
} from './types.js';

const START = '2025-01-01T00:00:00Z';
const T0 = Date.parse(START);
const EVENT_NAMES: ClusterEventName[] = [
  'added',
  'removed',
  'submitted',
  'executed',
  'error',
  'missed',
  'skipped',
  'coalesced',
  'stopped',
  'abandoned',
  'retried',
  'lost',
  'storeError',
];

/** A store whose calls can be made to hang (a stalled process or connection) or to throw. */
function controlledStore(inner: JobStore) {
  let gate: { promise: Promise<void>; open: () => void; methods: string[] | undefined } | undefined;
  let failure: ((method: string) => Error | undefined) | undefined;
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        calls.push(String(key));
        while (gate !== undefined && (gate.methods === undefined || gate.methods.includes(String(key)))) {
          await gate.promise;
        }
        const error = failure?.(String(key));
        if (error !== undefined) throw error;
        return (value as (...parameters: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    store,
    calls,
    /** Every call (of `methods`, by default of all) from now on waits until `resume()`. */
    hang(methods?: string[]) {
      let open = () => {};
      const promise = new Promise<void>((resolve) => {
        open = resolve;
      });
      gate = { promise, open, methods };
    },
    resume() {
      const current = gate;
      gate = undefined;
      current?.open();
    },
    /** Calls of the methods for which `fail` returns an error throw it. */
    failWith(fail: ((method: string) => Error | undefined) | undefined) {
      failure = fail;
    },
  };
}

/** Schedulers on one fake clock sharing one `MemoryJobStore`, recording their events. */
function createCluster() {
  const time = new FakeTime({ now: START });
  // NOTE: leases are timed with performance.now(); let it follow the fake clock.
  vi.spyOn(performance, 'now').mockImplementation(() => time.now() - T0);
  const memory = new MemoryJobStore(time);
  const nodes: ClusterScheduler[] = [];
  const node = (nodeId: string, options: Partial<ClusterSchedulerOptions> = {}) => {
    const scheduler = new ClusterScheduler({
      store: memory,
      nodeId,
      clock: time,
      timers: time,
      leaseMs: 3000,
      pollIntervalMs: 1000,
      // NOTE: fires are written when due, so the rows asserted below are exactly the fires run;
      // the lookahead has its own tests.
      lookaheadMs: 0,
      random: () => 0,
      ...options,
    });
    nodes.push(scheduler);
    const events: Array<{ type: ClusterEventName; at: number; payload: unknown }> = [];
    for (const name of EVENT_NAMES) {
      scheduler.on(name, (payload) => events.push({ type: name, at: time.now() - T0, payload }));
    }
    const of = <E extends ClusterEventName>(type: E): Array<ClusterSchedulerEvents[E]> =>
      events
        .filter((event) => event.type === type)
        .map((event) => event.payload as ClusterSchedulerEvents[E]);
    return { scheduler, events, of };
  };
  /** Shuts every scheduler down without waiting for runs. */
  const stopAll = async () => {
    for (const scheduler of nodes) await scheduler.shutdown({ wait: false });
  };
  return { time, memory, node, stopAll };
}

/** A job body that runs until its signal is aborted; records what it saw. */
function untilAborted(seen: ClusterJobContext[] = []) {
  return (context: ClusterJobContext) => {
    seen.push(context);
    return new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()));
  };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  vi.restoreAllMocks();
  expect(unhandled).toEqual([]);
});

describe('ClusterScheduler on MemoryJobStore: runs and events', () => {
  it('runs each fire once with its fire key and attempt, and records the result', async () => {
    const { time, node, stopAll } = createCluster();
    const { scheduler, of } = node('a');
    const seen: ClusterJobContext[] = [];
    await scheduler.add({ id: 'tick', trigger: { interval: 1 }, run: (context) => void seen.push(context) });
    await scheduler.start();
    await time.advance(3500);
    expect(seen.map((context) => context.fireKey)).toEqual([
      'tick@2025-01-01T00:00:01.000Z',
      'tick@2025-01-01T00:00:02.000Z',
      'tick@2025-01-01T00:00:03.000Z',
    ]);
    expect(seen.every((context) => context.attempt === 1 && context.jobId === 'tick')).toBe(true);
    expect(iso(of('submitted').map((event) => event.scheduledAt))).toEqual(
      iso([T0 + 1000, T0 + 2000, T0 + 3000]),
    );
    expect(of('executed')).toHaveLength(3);
    const runs = await scheduler.runs({ jobId: 'tick' });
    expect(runs.map((run) => [run.state, run.owner, run.attempt])).toEqual([
      ['succeeded', 'a', 1],
      ['succeeded', 'a', 1],
      ['succeeded', 'a', 1],
    ]);
    await stopAll();
  });

  it('three schedulers on one store run each fire exactly once', async () => {
    const { time, node, stopAll } = createCluster();
    const fires: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const { scheduler } = node(name);
      await scheduler.add({
        id: 'tick',
        trigger: { cron: '* * * * * *' },
        run: ({ fireKey }) => void fires.push(`${fireKey} on ${name}`),
      });
      await scheduler.start();
    }
    await time.advance(10_500);
    const keys = fires.map((fire) => fire.split(' on ')[0]);
    expect(keys).toHaveLength(10);
    expect(new Set(keys).size).toBe(10);
    await stopAll();
  });

  it('reports a failing run as an error, records it failed, and goes on with onError continue', async () => {
    const { time, node, stopAll } = createCluster();
    const { scheduler, of } = node('a');
    await scheduler.add({
      id: 'bad',
      trigger: { interval: 1 },
      onError: 'continue',
      run: () => Promise.reject(new Error('boom')),
    });
    await scheduler.start();
    await time.advance(2500);
    expect(of('error').map((event) => [event.error.message, event.fatal])).toEqual([
      ['Job "bad" failed: boom', false],
      ['Job "bad" failed: boom', false],
    ]);
    expect((of('error')[0]!.error.cause as Error).message).toBe('boom');
    expect((await scheduler.runs()).map((run) => [run.state, run.error])).toEqual([
      ['failed', 'boom'],
      ['failed', 'boom'],
    ]);
    expect(scheduler.running).toBe(true);
    await stopAll();
  });

  it('stops on a failing run with onError stop: fatal error, stopped once, the result still recorded', async () => {
    const { time, memory, node, stopAll } = createCluster();
    const { scheduler, of } = node('a');
    await scheduler.add({
      id: 'bad',
      trigger: { interval: 1 },
      run: () => {
        throw new Error('sync boom');
      },
    });
    await scheduler.start();
    await time.advance(5000);
    expect(of('error').map((event) => event.fatal)).toEqual([true]);
    expect(scheduler.running).toBe(false);
    expect(scheduler.error?.code).toBe('JOB_FAILED');
    expect(of('stopped')).toEqual([{ reason: 'fatal', error: scheduler.error }]);
    expect((await memory.listRuns()).map((run) => [run.state, run.error])).toEqual([['failed', 'sync boom']]);
    await scheduler.shutdown();
    expect(of('stopped')).toHaveLength(1);
    await stopAll();
  });

  it('reports missed and coalesced fires after a stall, and skipped ones over maxInstances', async () => {
    const { time, node, stopAll } = createCluster();
    const { scheduler, of } = node('a');
    await scheduler.add({ id: 'latest', trigger: { interval: 1 }, run: () => {} });
    await scheduler.add({ id: 'strict', trigger: { interval: 10 }, run: () => {} });
    await scheduler.add({
      id: 'slow',
      trigger: { interval: 1 },
      run: () => new Promise<void>((resolve) => time.setTimeout(resolve, 2500)),
    });
    await scheduler.start();
    await time.advance(9500);
    // The event loop is blocked from 9.5 s to 22.5 s.
    await time.block(13_000);
    const coalesced = of('coalesced').filter((event) => event.jobId === 'latest');
    expect(
      coalesced.map((event) => iso([event.firstScheduledAt, event.lastScheduledAt, event.scheduledAt])),
    ).toEqual([iso([T0 + 10_000, T0 + 22_000, T0 + 22_000])]);
    // 'strict' fired at 10 s and 20 s; 20 s is 2.5 s late by 22.5 s: missed.
    expect(of('missed').map((event) => [event.jobId, event.scheduledAt.toISOString(), event.lateMs])).toEqual(
      [['strict', new Date(T0 + 20_000).toISOString(), 2500]],
    );
    const skipped = of('skipped').filter((event) => event.jobId === 'slow');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped[0]).toMatchObject({ maxInstances: 1, running: 1 });
    const slowRuns = await scheduler.runs({ jobId: 'slow', states: ['skipped'] });
    expect(slowRuns.length).toBe(skipped.length);
    await stopAll();
  });

  it('runNow queues a run with a fresh fire key, respecting maxInstances', async () => {
    const { time, node, stopAll } = createCluster();
    const { scheduler, of } = node('a');
    const seen: ClusterJobContext[] = [];
    await scheduler.add({ id: 'manual', trigger: { interval: 3600 }, run: untilAborted(seen) });
    await scheduler.start();
    await time.advance(500);
    const first = await scheduler.runNow('manual');
    await time.advance(10);
    expect(first.fireKey).toBe('manual@2025-01-01T00:00:00.500Z/manual');
    expect(seen.map((context) => context.fireKey)).toEqual([first.fireKey]);
    const second = await scheduler.runNow('manual');
    await time.advance(10);
    expect(second.fireKey).not.toBe(first.fireKey);
    expect(of('skipped').map((event) => event.scheduledAt.toISOString())).toEqual([
      '2025-01-01T00:00:00.510Z',
    ]);
    await expect(scheduler.runNow('nope')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    await stopAll();
  });
});

describe('ClusterScheduler on MemoryJobStore: fires written ahead of time (lookaheadMs)', () => {
  it('claims a fire lookaheadMs before it and starts it at its time with no store call', async () => {
    const { time, memory, node, stopAll } = createCluster();
    const { scheduler, of } = node('a', { lookaheadMs: 500 });
    const started: number[] = [];
    await scheduler.add({ id: 'tick', trigger: { interval: 1 }, run: () => void started.push(time.now()) });
    await scheduler.start();
    await time.advance(499);
    expect(await scheduler.runs({ jobId: 'tick' })).toEqual([]);
    await time.advance(1);
    expect(
      (await scheduler.runs({ jobId: 'tick' })).map((run) => [
        run.scheduledAt - T0,
        run.state,
        run.owner,
        run.attempt,
        run.leaseUntil! - T0,
      ]),
    ).toEqual([[1000, 'running', 'a', 1, 1000 + 3000]]);
    const calls: string[] = [];
    for (const method of ['claim', 'fire', 'renew', 'wakeHint'] as const) {
      const original = memory[method].bind(memory) as (...args: unknown[]) => unknown;
      vi.spyOn(memory, method).mockImplementation(((...args: unknown[]) => {
        calls.push(`${method}@${time.now() - T0}`);
        return original(...args);
      }) as never);
    }
    await time.advance(499);
    expect(started).toEqual([]);
    await time.advance(1);
    // Started at its time, never early, and nothing asked of the store at that moment.
    expect(started).toEqual([T0 + 1000]);
    expect(calls.filter((call) => call.endsWith('@1000'))).toEqual([]);
    await time.advance(1600);
    expect(started).toEqual([T0 + 1000, T0 + 2000]);
    expect(
      (await scheduler.runs({ jobId: 'tick' })).map((run) => [run.scheduledAt - T0, run.state, run.attempt]),
    ).toEqual([
      [1000, 'succeeded', 1],
      [2000, 'succeeded', 1],
      [3000, 'running', 1],
    ]);
    expect(of('missed')).toEqual([]);
    await stopAll();
  });

  it('over maxInstances a fire written ahead waits pending and is claimed at its time', async () => {
    const { time, node, stopAll } = createCluster();
    const { scheduler, of } = node('a', { lookaheadMs: 500 });
    const started: number[] = [];
    let finish = () => {};
    await scheduler.add({
      id: 'slow',
      trigger: { interval: 1 },
      run: () => {
        started.push(time.now());
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
    });
    await scheduler.start();
    await time.advance(1000);
    expect(started).toEqual([T0 + 1000]);
    await time.advance(500);
    // The first run still holds the one instance: the next fire is written pending, not claimed.
    expect(
      (await scheduler.runs({ jobId: 'slow' })).map((run) => [run.scheduledAt - T0, run.state, run.attempt]),
    ).toEqual([
      [1000, 'running', 1],
      [2000, 'pending', 0],
    ]);
    await time.advance(300);
    finish();
    await time.advance(300);
    expect(started).toEqual([T0 + 1000, T0 + 2000]);
    expect(of('skipped')).toEqual([]);
    await stopAll();
  });

  it('gives a fire claimed ahead back at shutdown: another process starts it at its time', async () => {
    const { time, node, stopAll } = createCluster();
    const started: string[] = [];
    const a = node('a', { lookaheadMs: 500 });
    const b = node('b', { lookaheadMs: 500 });
    for (const [name, { scheduler }] of [
      ['a', a],
      ['b', b],
    ] as const) {
      await scheduler.add({
        id: 'tick',
        trigger: { interval: 1 },
        run: ({ scheduledAt }) =>
          void started.push(`${name}@${scheduledAt.getTime() - T0}@${time.now() - T0}`),
      });
    }
    await a.scheduler.start();
    await time.advance(600);
    expect((await a.scheduler.runs({ jobId: 'tick' })).map((run) => [run.state, run.owner])).toEqual([
      ['running', 'a'],
    ]);
    await b.scheduler.start();
    await a.scheduler.shutdown();
    expect(
      (await b.scheduler.runs({ jobId: 'tick' })).map((run) => [run.state, run.owner, run.attempt]),
    ).toEqual([['pending', null, 0]]);
    await time.advance(400);
    expect(started).toEqual(['b@1000@1000']);
    expect(a.of('lost')).toEqual([]);
    await stopAll();
  });

  it('a fire claimed ahead is dropped when another process pauses or reschedules the job', async () => {
    const { time, node, stopAll } = createCluster();
    const a = node('a', { lookaheadMs: 500 });
    const admin = node('admin');
    const started: number[] = [];
    const run = () => void started.push(time.now());
    await a.scheduler.add({ id: 'tick', trigger: { interval: 1 }, run });
    await admin.scheduler.add({ id: 'tick', trigger: { interval: 1 }, run: () => {} });
    await a.scheduler.start();
    await time.advance(600);
    expect((await a.scheduler.runs({ jobId: 'tick' })).map((row) => [row.state, row.owner])).toEqual([
      ['running', 'a'],
    ]);
    await admin.scheduler.pause('tick');
    expect(await a.scheduler.runs({ jobId: 'tick' })).toEqual([]);
    await time.advance(1000);
    expect(started).toEqual([]);
    await admin.scheduler.resume('tick');
    await time.advance(300);
    expect(started).toEqual([]);
    expect(
      (await a.scheduler.runs({ jobId: 'tick' })).map((row) => [row.scheduledAt - T0, row.state]),
    ).toEqual([[2000, 'running']]);
    await admin.scheduler.reschedule('tick', { interval: 60 });
    await time.advance(1000);
    expect(started).toEqual([]);
    expect(a.of('lost')).toEqual([]);
    await stopAll();
  });

  it('a fire claimed ahead is missed past its grace time, and not started past its lease', async () => {
    const { time, memory, node, stopAll } = createCluster();
    const { scheduler, of } = node('a', { lookaheadMs: 500 });
    const started: number[] = [];
    await scheduler.add({
      id: 'graced',
      trigger: { interval: 10 },
      misfireGraceTime: 0.2,
      run: () => void started.push(time.now()),
    });
    await scheduler.start();
    await time.advance(9600);
    expect((await scheduler.runs({ jobId: 'graced' })).map((run) => run.state)).toEqual(['running']);
    // The event loop is blocked from before the fire until past its grace time.
    await time.block(700);
    expect(started).toEqual([]);
    expect(of('missed').map((event) => [event.jobId, event.scheduledAt.getTime() - T0])).toEqual([
      ['graced', 10_000],
    ]);
    await time.advance(200);
    expect((await memory.listRuns({ scheduleId: 'graced' })).map((run) => run.state)).toEqual(['missed']);

    // Blocked past the whole lease: not started; the store settles it as any expired lease.
    await time.advance(9000);
    expect((await scheduler.runs({ jobId: 'graced' })).map((run) => run.state)).toEqual([
      'missed',
      'running',
    ]);
    await time.block(4000);
    expect(started).toEqual([]);
    expect(of('lost').map((event) => event.scheduledAt.getTime() - T0)).toEqual([20_000]);
    await stopAll();
  });

  it('drops the fires written ahead of time when the job is paused or replaced', async () => {
    const { time, node, stopAll } = createCluster();
    const { scheduler, of } = node('a', { lookaheadMs: 500 });
    const started: number[] = [];
    const run = () => void started.push(time.now());
    await scheduler.add({ id: 'tick', trigger: { interval: 1 }, run });
    await scheduler.start();
    await time.advance(600);
    await scheduler.pause('tick');
    expect(await scheduler.runs({ jobId: 'tick' })).toEqual([]);
    await time.advance(3000);
    await scheduler.resume('tick');
    await time.advance(1000);
    expect(started).toEqual([T0 + 4000]);
    await time.advance(100);
    await scheduler.upsert({ id: 'tick', trigger: { interval: 10 }, run });
    expect((await scheduler.runs({ jobId: 'tick', states: ['pending'] })).length).toBe(0);
    await time.advance(1000);
    expect(started).toEqual([T0 + 4000]);
    expect(of('missed')).toEqual([]);
    await stopAll();
  });
});

describe('ClusterScheduler on MemoryJobStore: local clock', () => {
  it.each([
    { name: 'fires at store time', lookaheadMs: 0, skewMs: -7000, startAtMs: 0 },
    // Started 300 ms before the first fire: it is claimed ahead in the very first look at the store.
    {
      name: 'starts fires claimed ahead at store time, never early,',
      lookaheadMs: 500,
      skewMs: 7000,
      startAtMs: 700,
    },
  ])('$name when its local clock is offset, and when that clock steps by 30 s', async (scenario) => {
    const { time, node, stopAll } = createCluster();
    let skewMs = scenario.skewMs;
    const { scheduler } = node('a', {
      lookaheadMs: scenario.lookaheadMs,
      clock: { now: () => time.now() + skewMs },
    });
    const started: number[] = [];
    await scheduler.add({ id: 'tick', trigger: { interval: 1 }, run: () => void started.push(time.now()) });
    await time.advance(scenario.startAtMs);
    await scheduler.start();
    await time.advance(2500 - scenario.startAtMs);
    skewMs = 30_000;
    await time.advance(2000);
    skewMs = -30_000;
    await time.advance(2000);
    expect(started).toEqual([1, 2, 3, 4, 5, 6].map((k) => T0 + k * 1000));
    await stopAll();
  });
});

describe('ClusterScheduler on MemoryJobStore: daemons', () => {
  it('restarts a daemon that exits, backing off 1 s, 2 s, 4 s', async () => {
    const { time, node, stopAll } = createCluster();
    const { scheduler, of } = node('a');
    await scheduler.add({ id: 'd', trigger: { daemon: true }, onError: 'continue', run: () => {} });
    await scheduler.start();
    await time.advance(7500);
    expect(of('submitted').map((event) => event.startedAt.getTime() - T0)).toEqual([0, 1000, 3000, 7000]);
    expect(of('error').map((event) => [event.error.message, event.fatal])).toEqual(
      Array(4).fill(['Daemon job "d" returned; daemon jobs are intended to run forever.', false]),
    );
    expect((of('error')[0]!.error as SchedulerError).code).toBe('DAEMON_EXITED');
    await stopAll();
  });

  it('stops the scheduler when a daemon exits with onError stop, and gives the daemon back', async () => {
    const { time, node, stopAll } = createCluster();
    const a = node('a');
    await a.scheduler.add({
      id: 'd',
      trigger: { daemon: true },
      run: () => Promise.reject(new Error('crash')),
    });
    await a.scheduler.start();
    await time.advance(100);
    expect(a.of('error').map((event) => [event.error.message, event.fatal])).toEqual([
      ['Daemon job "d" failed: crash', true],
    ]);
    expect(a.scheduler.running).toBe(false);
    const b = node('b');
    const seen: ClusterJobContext[] = [];
    await b.scheduler.add({ id: 'd', trigger: { daemon: true }, run: untilAborted(seen) });
    await b.scheduler.start();
    await time.advance(1500);
    expect(seen.map((context) => context.fireKey)).toEqual(['d@1970-01-01T00:00:00.000Z']);
    await stopAll();
  });

  it('runs a daemon on one scheduler only; another takes it over at once when its owner shuts down', async () => {
    const { time, node, stopAll } = createCluster();
    const started: string[] = [];
    const schedulers = ['a', 'b', 'c'].map((name) => {
      const { scheduler } = node(name);
      return { name, scheduler };
    });
    for (const { name, scheduler } of schedulers) {
      await scheduler.add({
        id: 'd',
        trigger: { daemon: true },
        run: ({ signal }) => {
          started.push(name);
          return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        },
      });
      await scheduler.start();
    }
    await time.advance(10_000);
    expect(started).toEqual(['a']);
    expect(await schedulers[0]!.scheduler.shutdown()).toEqual({ timedOut: false, pending: 0 });
    await time.advance(0);
    expect(started).toHaveLength(2);
    expect(['b', 'c']).toContain(started[1]);
    const info = await schedulers[1]!.scheduler.get('d');
    expect(info?.running).toBe(1);
    await stopAll();
  });

  it('pausing a daemon aborts it everywhere until resume', async () => {
    const { time, node, stopAll } = createCluster();
    const { scheduler } = node('a');
    const seen: ClusterJobContext[] = [];
    await scheduler.add({ id: 'd', trigger: { daemon: true }, run: untilAborted(seen) });
    await scheduler.start();
    await time.advance(100);
    await scheduler.pause('d');
    await time.advance(5000);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.signal.aborted).toBe(true);
    expect((await scheduler.get('d'))?.paused).toBe(true);
    await scheduler.resume('d');
    await time.advance(100);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.signal.aborted).toBe(false);
    await stopAll();
  });
});

describe('ClusterScheduler on MemoryJobStore: shutdown', () => {
  it('waits for runs in progress and records them', async () => {
    const { time, memory, node } = createCluster();
    const { scheduler, of } = node('a');
    await scheduler.add({
      id: 'slow',
      trigger: { interval: 1 },
      run: () => new Promise<void>((resolve) => time.setTimeout(resolve, 2000)),
    });
    await scheduler.start();
    await time.advance(1500);
    let result: unknown;
    const done = scheduler.shutdown().then((value) => {
      result = value;
    });
    await time.advance(1000);
    expect(result).toBeUndefined();
    await time.advance(600);
    await done;
    expect(result).toEqual({ timedOut: false, pending: 0 });
    expect((await memory.listRuns()).map((run) => run.state)).toEqual(['succeeded']);
    expect(of('executed')).toHaveLength(1);
    expect(of('stopped')).toEqual([{ reason: 'shutdown', error: undefined }]);
    await expect(
      scheduler.add({ id: 'late', trigger: { interval: 1 }, run: () => {} }),
    ).rejects.toMatchObject({
      code: 'SCHEDULER_STOPPED',
    });
  });

  it('keeps renewing the leases of the runs it waits for', async () => {
    const { time, node, stopAll } = createCluster();
    const a = node('a');
    const b = node('b');
    const job = {
      id: 'long',
      trigger: { date: T0 + 10_000 },
      run: () => new Promise<void>((resolve) => time.setTimeout(resolve, 10_000)),
    };
    await a.scheduler.add(job);
    await a.scheduler.start();
    await b.scheduler.add(job);
    await time.advance(9990);
    await b.scheduler.start();
    await time.advance(500);
    expect(a.of('submitted')).toHaveLength(1);
    const done = a.scheduler.shutdown();
    await time.advance(11_000);
    expect(await done).toEqual({ timedOut: false, pending: 0 });
    expect(b.of('abandoned')).toEqual([]);
    expect(a.of('lost')).toEqual([]);
    expect((await b.scheduler.runs()).map((run) => run.state)).toEqual(['succeeded']);
    await stopAll();
  });

  it('aborts runs after timeoutMs and reports whether they ended', async () => {
    const { time, node } = createCluster();
    const { scheduler } = node('a');
    const seen: ClusterJobContext[] = [];
    await scheduler.add({ id: 'forever', trigger: { interval: 1 }, run: untilAborted(seen) });
    await scheduler.add({ id: 'stubborn', trigger: { interval: 1 }, run: () => new Promise(() => {}) });
    await scheduler.start();
    await time.advance(1100);
    const done = scheduler.shutdown({ timeoutMs: 2000 });
    await time.advance(2000);
    expect(await done).toEqual({ timedOut: true, pending: 1 });
    expect(seen[0]!.signal.aborted).toBe(true);
  });
});

describe('ClusterScheduler on MemoryJobStore: leases', () => {
  /** `a` runs `job` at its only fire (10.5 s, between two renewals); `b` shares the store. */
  async function oneRunHeldByA(options: { onCrash?: 'abandon' | 'retry'; ignoreAbort?: boolean } = {}) {
    const cluster = createCluster();
    const controlled = controlledStore(cluster.memory);
    const a = cluster.node('a', { store: controlled.store });
    const b = cluster.node('b');
    const seen: ClusterJobContext[] = [];
    const job = {
      id: 'job',
      trigger: { date: T0 + 10_500 },
      onCrash: options.onCrash,
      run: (context: ClusterJobContext) => {
        seen.push(context);
        return new Promise<void>((resolve) => {
          time.setTimeout(resolve, 20_000);
          if (!options.ignoreAbort) context.signal.addEventListener('abort', () => resolve());
        });
      },
    };
    const { time } = cluster;
    await a.scheduler.add(job);
    await b.scheduler.add(job);
    await a.scheduler.start();
    await time.advance(10_600);
    await b.scheduler.start();
    await time.advance(100);
    expect(seen.map((context) => context.attempt)).toEqual([1]);
    return { ...cluster, controlled, a, b, seen };
  }

  it('a stalled process loses its run: signal aborted, lost emitted, result not recorded; abandon', async () => {
    const { time, controlled, a, b, seen, stopAll } = await oneRunHeldByA({ ignoreAbort: true });
    controlled.hang();
    await time.advance(3500);
    expect(seen[0]!.signal.aborted).toBe(true);
    expect(a.of('lost')).toEqual([
      expect.objectContaining({
        jobId: 'job',
        attempt: 1,
        reason: 'the lease expired before it could be renewed',
      }),
    ]);
    // Given up when its lease (from the start at 10.5 s) ran out, not at the next renewal tick: as the
    // other process takes it.
    expect(a.events.find((event) => event.type === 'lost')?.at).toBe(13_500);
    expect(b.events.find((event) => event.type === 'abandoned')?.at).toBe(13_500);
    expect(b.of('abandoned')).toEqual([
      expect.objectContaining({ jobId: 'job', owner: 'a', attempt: 1, scheduledAt: new Date(T0 + 10_500) }),
    ]);
    controlled.resume();
    await time.advance(20_000);
    expect(a.of('executed')).toEqual([]);
    expect(a.of('lost')).toHaveLength(1);
    const runs = await b.scheduler.runs();
    expect(runs.map((run) => [run.state, run.error])).toEqual([
      ['abandoned', 'The lease of a on attempt 1 expired (the process died or stalled).'],
    ]);
    await stopAll();
  });

  it('with onCrash retry another process runs the fire again (same fire key, attempt 2, after back-off)', async () => {
    const { time, controlled, a, b, seen, stopAll } = await oneRunHeldByA({ onCrash: 'retry' });
    controlled.hang();
    await time.advance(3500);
    expect(b.of('retried')).toEqual([
      expect.objectContaining({ jobId: 'job', owner: 'a', attempt: 1, dueAt: expect.any(Date) }),
    ]);
    const [retried] = b.of('retried');
    await time.advance(retried!.dueAt.getTime() - time.now() + 10);
    expect(seen.map((context) => [context.fireKey, context.attempt])).toEqual([
      ['job@2025-01-01T00:00:10.500Z', 1],
      ['job@2025-01-01T00:00:10.500Z', 2],
    ]);
    controlled.resume();
    await time.advance(25_000);
    const runs = await b.scheduler.runs();
    expect(runs.map((run) => [run.state, run.owner, run.attempt])).toEqual([['succeeded', 'b', 2]]);
    expect(a.of('executed')).toEqual([]);
    await stopAll();
  });

  it('a process that resumes after its lease cannot record its result', async () => {
    const { time, a, b, seen, stopAll, controlled } = await oneRunHeldByA({
      onCrash: 'retry',
      ignoreAbort: true,
    });
    // Its renewals reach the store only after the lease: a SIGSTOP-like stall of its connection.
    controlled.failWith((method) => (method === 'renew' ? new Error('connection stalled') : undefined));
    await time.advance(30_000);
    expect(seen.map((context) => context.attempt)).toEqual([1, 2]);
    expect(seen[0]!.signal.aborted).toBe(true);
    expect(a.of('lost')).toHaveLength(1);
    expect(a.of('storeError').map((event) => event.operation)).toContain('renew');
    const runs = await b.scheduler.runs();
    expect(runs.map((run) => [run.state, run.owner, run.attempt])).toEqual([['succeeded', 'b', 2]]);
    await stopAll();
  });

  it('a retry past maxAttempts fails with an error event', async () => {
    const { time, memory, node, stopAll } = createCluster();
    const watcher = node('watcher');
    await watcher.scheduler.add({
      id: 'job',
      trigger: { interval: 10 },
      onCrash: 'retry',
      maxAttempts: 2,
      onError: 'continue',
      run: () => {},
    });
    await time.advance(10_000);
    // Two processes claim the fire and die without a trace.
    const plan = (due: Parameters<typeof planFires>[0], now: number) => planFires(due, now, () => 0);
    await memory.fire('ghost-1', ['job'], 10, 500, plan);
    await time.advance(600);
    expect((await memory.reap()).map((entry) => entry.outcome)).toEqual(['retried']);
    await time.advance(1000);
    const claimed = await memory.claim('ghost-2', ['job'], 10, 500);
    expect(claimed.claimed.map((run) => run.attempt)).toEqual([2]);
    await time.advance(600);
    await watcher.scheduler.start();
    await time.advance(100);
    expect(watcher.of('error').map((event) => [event.error.message, event.fatal])).toEqual([
      [
        'Job "job" failed: its lease expired on attempt 2 of 2 (onCrash: retry); it is not retried again.',
        false,
      ],
    ]);
    expect((await memory.listRuns()).map((run) => run.state)).toContain('failed');
    await stopAll();
  });

  it('a retry waiting for a free instance does not make the scheduler spin (batchSize 1)', async () => {
    const { time, memory, node, stopAll } = createCluster();
    const { scheduler } = node('a', { batchSize: 1 });
    await scheduler.add({
      id: 'job',
      trigger: { interval: 10 },
      onCrash: 'retry',
      misfireGraceTime: null,
      run: () => {},
    });
    const plan = (due: Parameters<typeof planFires>[0], now: number) => planFires(due, now, () => 0);
    await time.advance(10_000);
    await memory.fire('ghost', ['job'], 10, 500, plan);
    await time.advance(600);
    await memory.reap();
    // Another process holds the next fire under a long lease, so the retry waits.
    await time.advance(9400);
    await memory.fire('holder', ['job'], 10, 3_600_000, plan);
    await time.advance(2000);
    const claim = memory.claim.bind(memory);
    let claims = 0;
    // NOTE: a spinning loop never yields to timers, so the test would hang instead of failing: break it.
    vi.spyOn(memory, 'claim').mockImplementation((...args) => {
      if (++claims > 1000) throw new Error('The scheduler is spinning on claim().');
      return claim(...args);
    });
    await scheduler.start();
    await time.advance(1000);
    // Polling, not spinning: a few claims a second at most.
    expect(claims).toBeLessThan(100);
    expect((await memory.listRuns({ states: ['pending'] })).map((run) => run.attempt)).toEqual([1]);
    await stopAll();
  });
});

describe('ClusterScheduler on MemoryJobStore: store failures', () => {
  it('keeps the result of a finish that failed and records it at the next wake', async () => {
    const { time, memory, node, stopAll } = createCluster();
    const controlled = controlledStore(memory);
    const { scheduler, of } = node('a', { store: controlled.store });
    await scheduler.add({ id: 'once', trigger: { date: T0 + 1000 }, run: () => {} });
    await scheduler.start();
    controlled.failWith((method) => (method === 'finish' ? new Error('connection reset') : undefined));
    await time.advance(1100);
    expect(of('storeError').map((event) => event.operation)).toEqual(['finish']);
    controlled.failWith(undefined);
    await time.advance(5000);
    expect((await memory.listRuns()).map((run) => [run.state, run.error])).toEqual([['succeeded', null]]);
    expect(of('abandoned')).toEqual([]);
    expect(of('lost')).toEqual([]);
    await stopAll();
  });

  it('does not report a run lost when it ended while its renewal was on the way', async () => {
    const { time, memory, node, stopAll } = createCluster();
    const controlled = controlledStore(memory);
    const { scheduler, of } = node('a', { store: controlled.store });
    await scheduler.add({
      id: 'once',
      trigger: { date: T0 + 1000 },
      run: () => new Promise<void>((resolve) => time.setTimeout(resolve, 1500)),
    });
    await scheduler.start();
    await time.advance(1500);
    // The renewal at 2 s is slow to answer; the run ends at 2.5 s and is recorded meanwhile.
    controlled.hang(['renew']);
    await time.advance(1500);
    expect((await memory.listRuns()).map((run) => run.state)).toEqual(['succeeded']);
    controlled.resume();
    await time.advance(100);
    expect(of('lost')).toEqual([]);
    expect(of('executed')).toHaveLength(1);
    await stopAll();
  });

  it('reports a failing store as storeError, without unhandled rejections, and recovers on the next wake', async () => {
    const { time, memory, node, stopAll } = createCluster();
    const controlled = controlledStore(memory);
    const { scheduler, of } = node('a', { store: controlled.store });
    const fires: number[] = [];
    await scheduler.add({
      id: 'tick',
      trigger: { interval: 1 },
      misfireGraceTime: null,
      run: ({ scheduledAt }) => void fires.push(scheduledAt.getTime() - T0),
    });
    await scheduler.start();
    await time.advance(1500);
    controlled.failWith((method) => (method === 'fire' ? new Error('connection refused') : undefined));
    await time.advance(3000);
    expect(fires).toEqual([1000]);
    const errors = of('storeError');
    expect(errors.length).toBeGreaterThan(0);
    expect(
      errors.every((event) => event.operation === 'cycle' && event.error.message === 'connection refused'),
    ).toBe(true);
    controlled.failWith(undefined);
    await time.advance(1100);
    // Recovered at the first wake after the store came back (5 s): the fires from 2 s on ran as one.
    expect(fires).toEqual([1000, 5000]);
    expect(of('coalesced').map((event) => iso([event.firstScheduledAt, event.lastScheduledAt]))).toEqual([
      iso([T0 + 2000, T0 + 5000]),
    ]);
    await stopAll();
  });

  it('reports a failing subscribe and still polls', async () => {
    const { time, memory, node, stopAll } = createCluster();
    const controlled = controlledStore(memory);
    controlled.failWith((method) => (method === 'subscribe' ? new Error('LISTEN refused') : undefined));
    const { scheduler, of } = node('a', { store: controlled.store });
    let runs = 0;
    await scheduler.add({ id: 'tick', trigger: { interval: 1 }, run: () => void runs++ });
    await scheduler.start();
    await time.advance(2500);
    expect(of('storeError').map((event) => event.operation)).toEqual(['subscribe']);
    expect(runs).toBe(2);
    await stopAll();
  });

  it('rejects start() when setup fails, and works once the store is back', async () => {
    const { time, memory, node, stopAll } = createCluster();
    const controlled = controlledStore(memory);
    controlled.failWith((method) => (method === 'setup' ? new Error('no database') : undefined));
    const { scheduler } = node('a', { store: controlled.store });
    await expect(scheduler.start()).rejects.toThrow('no database');
    controlled.failWith(undefined);
    let runs = 0;
    await scheduler.add({ id: 'tick', trigger: { interval: 1 }, run: () => void runs++ });
    await scheduler.start();
    await time.advance(1500);
    expect(runs).toBe(1);
    await stopAll();
  });
});
