import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterScheduler } from './cluster-scheduler.js';
import { MemoryJobStore } from './memory-store.js';
import { planFires } from './plan.js';
import { pgPoolPort, type SqlPort, type TypeormDataSourceLike, typeormPort } from './port.js';
import { PostgresJobStore } from './postgres-store.js';
import type { DueSchedule, JobStore } from './store.js';
import type {
  ClusterEventName,
  ClusterJobContext,
  ClusterJobDefinition,
  ClusterSchedulerEvents,
  ClusterSchedulerOptions,
} from './types.js';

// One suite of store- and scheduler-level behaviour, run against every JobStore: MemoryJobStore
// always, PostgresJobStore when DATABASE_URL is set (through pgPoolPort, and a part of it through
// typeormPort). Time is real here (the database clock cannot be faked): leases are short, and tests
// wait for conditions with deadlines rather than for fixed times where they can.

const DATABASE_URL = process.env.DATABASE_URL;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
// NOTE: generous for a loaded machine, where a renewal can be late by hundreds of milliseconds.
const LEASE_MS = 1500;

interface OpenStore {
  store: JobStore;
  close(): Promise<void>;
}

interface Target {
  name: string;
  /** Runs every test; otherwise only the ones marked `core`. */
  full: boolean;
  open(): Promise<OpenStore>;
}

let pool: pg.Pool | undefined;
const poolOf = () => {
  pool ??= new pg.Pool({ connectionString: DATABASE_URL, max: 20 });
  return pool;
};

/** A PostgresJobStore over tables of its own (a random prefix), dropped on close. */
function postgresTarget(
  name: string,
  full: boolean,
  port: (pool: pg.Pool) => ConstructorParameters<typeof PostgresJobStore>[0],
): Target {
  return {
    name,
    full,
    async open() {
      const prefix = `t_contract_${randomBytes(5).toString('hex')}_`;
      const store = new PostgresJobStore(port(poolOf()), { prefix });
      await store.setup();
      return {
        store,
        close: async () => {
          await dropStore(prefix);
        },
      };
    },
  };
}

/**
 * Shaped like a TypeORM DataSource on PostgreSQL over a pg Pool (typeorm is not a dependency of this
 * package): `query()` answers UPDATE and DELETE with `[rows, rowCount]` as TypeORM does, and the
 * driver's `master` is the pool.
 */
function typeormLikeDataSource(pool: pg.Pool): TypeormDataSourceLike {
  const shape = (result: pg.QueryResult) =>
    result.command === 'UPDATE' || result.command === 'DELETE' ? [result.rows, result.rowCount] : result.rows;
  return {
    driver: { master: pool },
    query: async (sql, params) => shape(await pool.query(sql, params)),
    createQueryRunner() {
      let client: pg.PoolClient | undefined;
      const run = async (sql: string, params?: unknown[]) => shape(await client!.query(sql, params));
      return {
        connect: async () => {
          client ??= await pool.connect();
          return client;
        },
        startTransaction: async () => void (await run('START TRANSACTION')),
        commitTransaction: async () => void (await run('COMMIT')),
        rollbackTransaction: async () => void (await run('ROLLBACK')),
        query: run,
        release: async () => {
          client?.release();
          client = undefined;
        },
      };
    },
  };
}

const targets: Target[] = [
  {
    name: 'MemoryJobStore',
    full: true,
    open: async () => ({ store: new MemoryJobStore(), close: async () => {} }),
  },
];
if (DATABASE_URL !== undefined) {
  targets.push(postgresTarget('PostgresJobStore (pgPoolPort)', true, (pool) => pgPoolPort(pool)));
  targets.push(
    postgresTarget('PostgresJobStore (typeormPort)', false, (pool) =>
      typeormPort(typeormLikeDataSource(pool)),
    ),
  );
}

/** Drops what `setup()` made under `prefix`: the two tables and the claim function. */
async function dropStore(prefix: string): Promise<void> {
  await poolOf().query(`DROP TABLE IF EXISTS "${prefix}runs", "${prefix}schedules"`);
  await poolOf().query(`DROP FUNCTION IF EXISTS "${prefix}claim_v1"`);
}

afterAll(async () => {
  await pool?.end();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `probe` holds; fails naming `what` after `timeoutMs`. */
async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await sleep(10);
  }
}

const plan = (due: DueSchedule[], now: number) => planFires(due, now, () => 0);

/** A store whose calls (from one process) stop reaching it: a stalled process or connection. */
function stallable(inner: JobStore) {
  let stall: { promise: Promise<void>; resume: () => void } | undefined;
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        while (stall !== undefined) await stall.promise;
        return (value as (...parameters: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    store,
    stall() {
      let resume = () => {};
      const promise = new Promise<void>((resolve) => {
        resume = resolve;
      });
      stall = { promise, resume };
    },
    resume() {
      const current = stall;
      stall = undefined;
      current?.resume();
    },
  };
}

const EVENT_NAMES: ClusterEventName[] = [
  'added',
  'submitted',
  'executed',
  'error',
  'missed',
  'skipped',
  'coalesced',
  'abandoned',
  'retried',
  'lost',
  'storeError',
];

describe.each(targets)('$name', (target) => {
  let opened: OpenStore;
  let store: JobStore;
  const schedulers: ClusterScheduler[] = [];
  const cleanups: Array<() => void> = [];

  /** A scheduler on the store under test (short lease, fast polling), recording its events. */
  const node = (nodeId: string, options: Partial<ClusterSchedulerOptions> = {}) => {
    const scheduler = new ClusterScheduler({
      store,
      nodeId,
      leaseMs: LEASE_MS,
      pollIntervalMs: 100,
      ...options,
    });
    schedulers.push(scheduler);
    const events: Array<{ type: ClusterEventName; payload: unknown }> = [];
    for (const name of EVENT_NAMES) scheduler.on(name, (payload) => events.push({ type: name, payload }));
    const of = <E extends ClusterEventName>(type: E): Array<ClusterSchedulerEvents[E]> =>
      events
        .filter((event) => event.type === type)
        .map((event) => event.payload as ClusterSchedulerEvents[E]);
    return { scheduler, of };
  };

  /** Adds jobs to the store through a scheduler that never starts. */
  const addJobs = async (...jobs: Array<Omit<ClusterJobDefinition, 'run'>>) => {
    const admin = node('admin');
    for (const job of jobs) await admin.scheduler.add({ ...job, run: () => {} });
    return admin;
  };

  /** A callback that records its contexts and waits until `release()` (or its signal). */
  const latch = () => {
    const seen: ClusterJobContext[] = [];
    let open = () => {};
    const released = new Promise<void>((resolve) => {
      open = resolve;
    });
    const run = (context: ClusterJobContext) => {
      seen.push(context);
      return Promise.race([
        released,
        new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve())),
      ]);
    };
    return { seen, run, release: () => open() };
  };

  const core = it;
  const full = target.full ? it : it.skip;

  beforeEach(async () => {
    opened = await target.open();
    store = opened.store;
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    for (const scheduler of schedulers.splice(0)) await scheduler.shutdown({ wait: false });
    await opened.close();
  });

  core(
    'add is idempotent for the same definition, rejects a different one, upsert replaces and restarts',
    async () => {
      const nodes = [node('a'), node('b'), node('c')];
      const job: ClusterJobDefinition = { id: 'report', trigger: { interval: 3600 }, run: () => {} };
      await Promise.all(nodes.map(({ scheduler }) => scheduler.add({ ...job })));
      expect((await store.getSchedules()).map(({ row }) => row.id)).toEqual(['report']);
      expect(nodes.flatMap(({ of }) => of('added'))).toEqual([{ jobId: 'report', replaced: false }]);

      await expect(nodes[1]!.scheduler.add({ ...job, trigger: { interval: 60 } })).rejects.toMatchObject({
        code: 'DUPLICATE_JOB',
        message: expect.stringContaining('use upsert()'),
      });
      const addedSoFar = () => nodes.flatMap(({ of }) => of('added')).length;
      await nodes[2]!.scheduler.upsert({ ...job });
      expect(addedSoFar()).toBe(1);

      // NOTE: the database clock has microseconds; schedules are anchored on whole milliseconds.
      const before = Math.floor(await store.now());
      await nodes[1]!.scheduler.upsert({ ...job, trigger: { interval: 7200 } });
      expect(addedSoFar()).toBe(2);
      expect(nodes[1]!.of('added').at(-1)).toEqual({ jobId: 'report', replaced: true });
      const info = await nodes[0]!.scheduler.get('report');
      expect(info?.trigger).toEqual({ interval: 7200 });
      expect(info!.nextRunAt!.getTime()).toBeGreaterThanOrEqual(before + 7200 * SECOND);
      expect(info!.nextRunAt!.getTime()).toBeLessThan(before + 7200 * SECOND + 5 * SECOND);
      expect((await store.getSchedules()).length).toBe(1);
    },
  );

  core(
    'runs each fire once across three schedulers',
    async () => {
      const ran: Array<{ fireKey: string; node: string }> = [];
      const nodes = ['a', 'b', 'c'].map((name) => node(name));
      for (const [index, { scheduler }] of nodes.entries()) {
        const run = ({ fireKey }: ClusterJobContext) => void ran.push({ fireKey, node: String(index) });
        // NOTE: maxInstances 3: on a loaded machine a result may be recorded after the next fire.
        const options = { misfireGraceTime: null, maxInstances: 3, run } as const;
        await scheduler.add({ id: 'fast', trigger: { interval: 0.2 }, ...options });
        await scheduler.add({ id: 'cron', trigger: { cron: '* * * * * *' }, ...options });
      }
      await Promise.all(nodes.map(({ scheduler }) => scheduler.start()));
      const succeeded = async (jobId: string) =>
        (await store.listRuns({ scheduleId: jobId, states: ['succeeded'] })).length;
      await until(
        '8 fast and 2 cron runs',
        async () => (await succeeded('fast')) >= 8 && (await succeeded('cron')) >= 2,
        8000,
      );
      for (const { scheduler } of nodes) await scheduler.shutdown();

      const keys = ran.map((entry) => entry.fireKey);
      expect(new Set(keys).size).toBe(keys.length);
      const runs = await store.listRuns();
      // NOTE: a fire materialised by a cycle in flight during a shutdown is given back, pending for
      // the next process; every other run ran, once.
      const handedBack = runs.filter((run) => run.state === 'pending');
      expect(
        handedBack.every((run) => run.owner === null && run.scheduledAt >= runs.at(-1)!.scheduledAt - 1000),
      ).toBe(true);
      expect(runs.filter((run) => run.state !== 'succeeded' && run.state !== 'pending')).toEqual([]);
      expect(
        runs
          .filter((run) => run.state === 'succeeded')
          .map((run) => `${run.scheduleId}@${new Date(run.scheduledAt).toISOString()}`)
          .sort(),
      ).toEqual([...keys].sort());
      // No fire lost: each run follows the previous one (or the range it coalesced) by one period.
      for (const [jobId, period] of [
        ['fast', 200],
        ['cron', 1000],
      ] as const) {
        const ofJob = runs.filter((run) => run.scheduleId === jobId);
        const steps = ofJob
          .slice(1)
          .map((run, index) => (run.rangeFrom ?? run.scheduledAt) - ofJob[index]!.scheduledAt);
        expect(steps).toEqual(Array(steps.length).fill(period));
      }
    },
    15_000,
  );

  core('fences renew and finish by owner, attempt and lease', async () => {
    await addJobs(
      { id: 'fenced', trigger: { date: Date.now() - 500 }, misfireGraceTime: null },
      { id: 'short', trigger: { date: Date.now() - 500 }, misfireGraceTime: null },
    );
    const { inserted } = await store.fire('a', ['fenced'], 10, 60_000, plan);
    const [run] = inserted;
    expect(run).toMatchObject({ scheduleId: 'fenced', state: 'running', owner: 'a', attempt: 1 });
    const ref = { id: run!.id, attempt: 1 };
    expect(await store.renew('b', [ref], 60_000)).toEqual(new Map());
    expect(await store.renew('a', [{ ...ref, attempt: 2 }], 60_000)).toEqual(new Map());
    expect(await store.renew('a', [ref], 60_000)).toEqual(new Map([[run!.id, { paused: false }]]));
    const result = { ...ref, state: 'succeeded' as const, error: null };
    expect(await store.finish('b', [result])).toEqual(new Set());
    expect(await store.finish('a', [{ ...result, attempt: 2 }])).toEqual(new Set());
    expect(await store.finish('a', [result])).toEqual(new Set([run!.id]));
    expect(await store.finish('a', [result])).toEqual(new Set());
    expect(await store.renew('a', [ref], 60_000)).toEqual(new Map());

    const [short] = (await store.fire('a', ['short'], 10, 100, plan)).inserted;
    await sleep(150);
    // Past its lease the owner cannot renew; nobody took the run over yet, so its result still counts.
    expect(await store.renew('a', [{ id: short!.id, attempt: 1 }], 60_000)).toEqual(new Map());
    expect(await store.finish('a', [{ id: short!.id, attempt: 1, state: 'failed', error: 'late' }])).toEqual(
      new Set([short!.id]),
    );
    expect((await store.listRuns({ scheduleId: 'short' })).map((row) => [row.state, row.error])).toEqual([
      ['failed', 'late'],
    ]);
  });

  core(
    'claims as decideClaims decides: missed past the deadline, maxInstances from live runs, the rest skipped, retries kept',
    async () => {
      await addJobs(
        { id: 'capped', trigger: { interval: 3600 }, maxInstances: 2 },
        { id: 'late', trigger: { date: (await store.now()) + 200 }, misfireGraceTime: 0.05 },
        { id: 'retry', trigger: { interval: 3600 }, onCrash: 'retry' },
      );
      // One instance of `capped` runs already (another owner); three more are due.
      const first = await store.insertManualRun('capped');
      expect((await store.claim('a', ['capped'], 10, 60_000)).claimed.map((run) => run.id)).toEqual([
        first!.id,
      ]);
      const queued = [];
      for (let index = 0; index < 3; index++) queued.push((await store.insertManualRun('capped'))!.id);
      // `late` is written ahead as pending and claimed only after its grace time is over.
      const ahead = await store.fire('a', ['late'], 10, 60_000, plan, 1000);
      expect(ahead.inserted.map((run) => run.state)).toEqual(['pending']);
      await sleep(Math.max(0, ahead.inserted[0]!.deadline! - (await store.now())) + 30);

      const result = await store.claim('b', ['capped', 'late'], 10, 60_000);
      expect(result.seen).toBe(4);
      expect(result.claimed.map((run) => [run.id, run.owner, run.attempt])).toEqual([[queued[0], 'b', 1]]);
      expect(result.closed.map((run) => [run.scheduleId, run.state]).sort()).toEqual([
        ['capped', 'skipped'],
        ['capped', 'skipped'],
        ['late', 'missed'],
      ]);
      expect(
        result.closed
          .filter((run) => run.scheduleId === 'capped')
          .map((run) => run.id)
          .sort(),
      ).toEqual(queued.slice(1).sort());
      expect(await store.claim('b', ['capped', 'late'], 10, 60_000)).toMatchObject({
        claimed: [],
        closed: [],
        seen: 0,
      });

      // A retry that finds its one instance taken stays pending (not skipped) until the instance is free.
      const crashed = await store.insertManualRun('retry');
      expect((await store.claim('a', ['retry'], 10, 100)).claimed.map((run) => run.id)).toEqual([
        crashed!.id,
      ]);
      await sleep(150);
      expect((await store.reap()).map((entry) => entry.outcome)).toEqual(['retried']);
      const holder = await store.insertManualRun('retry');
      expect((await store.claim('c', ['retry'], 10, 60_000)).claimed.map((run) => run.id)).toEqual([
        holder!.id,
      ]);
      const retried = (await store.listRuns({ scheduleId: 'retry', states: ['pending'] }))[0]!;
      await sleep(Math.max(0, retried.dueAt - (await store.now())) + 20);
      const blocked = await store.claim('b', ['retry'], 10, 60_000);
      expect([blocked.seen, blocked.claimed, blocked.closed]).toEqual([1, [], []]);
      await store.finish('c', [{ id: holder!.id, attempt: 1, state: 'succeeded', error: null }]);
      expect(
        (await store.claim('b', ['retry'], 10, 60_000)).claimed.map((run) => [run.id, run.attempt]),
      ).toEqual([[crashed!.id, 2]]);
    },
  );

  core(
    'keys manual runs apart from scheduled fires, and gives back the attempt of a run released unstarted',
    async () => {
      const at = Math.floor(Date.now() / 1000) * 1000 - 1000;
      // Two instances: the scheduled fire starts at once and must not keep the manual run from starting.
      await addJobs({ id: 'keyed', trigger: { date: at }, misfireGraceTime: null, maxInstances: 2 });
      const manual = await store.insertManualRun('keyed');
      expect(manual).toMatchObject({ manual: true, state: 'pending', attempt: 0 });
      // A scheduled fire at the very same time is a different key: it is still inserted.
      const { inserted } = await store.fire('a', ['keyed'], 10, 60_000, (due, now) =>
        plan(
          due.map((entry) => ({ ...entry, row: { ...entry.row, nextFireAt: manual!.scheduledAt } })),
          now,
        ),
      );
      expect(inserted.map((run) => [run.scheduledAt, run.manual])).toEqual([[manual!.scheduledAt, false]]);

      const { claimed } = await store.claim('b', ['keyed'], 10, 60_000);
      expect(claimed).toMatchObject([{ id: manual!.id, attempt: 1, owner: 'b' }]);
      await store.release('b', [{ id: manual!.id, attempt: 1, delayMs: 0, unstarted: true }]);
      expect((await store.listRuns({ scheduleId: 'keyed' })).find((run) => run.manual)).toMatchObject({
        state: 'pending',
        owner: null,
        attempt: 0,
      });
    },
  );

  core('replacing a daemon by a scheduled job drops the daemon’s waiting run', async () => {
    const admin = await addJobs({ id: 'shape-shifter', trigger: { daemon: true } });
    expect((await store.listRuns({ scheduleId: 'shape-shifter' })).map((run) => run.state)).toEqual([
      'pending',
    ]);
    await admin.scheduler.upsert({ id: 'shape-shifter', trigger: { interval: 3600 }, run: () => {} });
    expect(await store.listRuns({ scheduleId: 'shape-shifter' })).toEqual([]);
  });

  core(
    'reaps an expired lease: abandoned, or retried (attempt kept, backed off), or failed after maxAttempts',
    async () => {
      await addJobs(
        { id: 'abandon', trigger: { date: Date.now() - 500 }, misfireGraceTime: null },
        {
          id: 'retry',
          trigger: { date: Date.now() - 500 },
          misfireGraceTime: null,
          onCrash: 'retry',
          maxAttempts: 2,
        },
      );
      const { inserted } = await store.fire('a', ['abandon', 'retry'], 10, 1000, plan);
      expect(inserted.map((run) => [run.scheduleId, run.state, run.attempt]).sort()).toEqual([
        ['abandon', 'running', 1],
        ['retry', 'running', 1],
      ]);
      expect(await store.reap()).toEqual([]);
      await sleep(1050);
      const before = await store.now();
      const reaped = (await store.reap()).sort((x, y) => x.run.scheduleId.localeCompare(y.run.scheduleId));
      const after = await store.now();
      expect(reaped.map((entry) => [entry.run.scheduleId, entry.outcome, entry.owner])).toEqual([
        ['abandon', 'abandoned', 'a'],
        ['retry', 'retried', 'a'],
      ]);
      const [abandoned, retried] = reaped.map((entry) => entry.run);
      expect(abandoned).toMatchObject({
        state: 'abandoned',
        owner: null,
        attempt: 1,
        error: 'The lease of a on attempt 1 expired (the process died or stalled).',
      });
      expect(retried).toMatchObject({ state: 'pending', owner: null, attempt: 1, deadline: null });
      expect(retried!.dueAt).toBeGreaterThanOrEqual(before + 1000 - 5);
      expect(retried!.dueAt).toBeLessThanOrEqual(after + 1000 + 5);
      // The stale owner can record nothing now.
      const late = [abandoned!, retried!].map((run) => ({
        id: run.id,
        attempt: 1,
        state: 'succeeded' as const,
        error: null,
      }));
      expect(await store.finish('a', late)).toEqual(new Set());
      expect(await store.reap()).toEqual([]);

      // Not claimable before its back-off; then attempt 2.
      expect((await store.claim('b', ['retry'], 10, 100)).claimed).toEqual([]);
      await sleep(Math.max(0, retried!.dueAt - (await store.now())) + 20);
      const { claimed } = await store.claim('b', ['retry'], 10, 100);
      expect(claimed.map((run) => [run.owner, run.attempt, run.scheduledAt])).toEqual([
        ['b', 2, retried!.scheduledAt],
      ]);
      await sleep(150);
      const [failed] = await store.reap();
      expect(failed).toMatchObject({ outcome: 'failed', owner: 'b' });
      expect(failed!.run).toMatchObject({
        state: 'failed',
        attempt: 2,
        error: expect.stringContaining('of b on attempt 2'),
      });
    },
  );

  full(
    'runs a daemon on one scheduler only; another takes it at once when the owner shuts down',
    async () => {
      const started: string[] = [];
      const nodes = ['a', 'b', 'c'].map((name) => ({ name, ...node(name) }));
      for (const { name, scheduler } of nodes) {
        await scheduler.add({
          id: 'daemon',
          trigger: { daemon: true },
          run: ({ signal }) => {
            started.push(name);
            return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
          },
        });
      }
      await Promise.all(nodes.map(({ scheduler }) => scheduler.start()));
      await until('the daemon to start', () => started.length === 1);
      await sleep(LEASE_MS);
      expect(started).toHaveLength(1);
      const owner = nodes.find(({ name }) => name === started[0])!;
      expect((await owner.scheduler.get('daemon'))?.running).toBe(1);
      await owner.scheduler.shutdown();
      const handedOver = Date.now();
      await until('another scheduler to take the daemon', () => started.length === 2, 2000);
      expect(Date.now() - handedOver).toBeLessThan(LEASE_MS / 2);
      expect(started[1]).not.toBe(owner.name);
    },
  );

  full(
    'a daemon whose owner stops renewing is taken over after the lease, and the owner aborts it',
    async () => {
      const stalled = stallable(store);
      const a = node('a', { store: stalled.store });
      const b = node('b');
      cleanups.push(() => stalled.resume());
      const seen: Array<{ node: string; context: ClusterJobContext; startedAt: number }> = [];
      let abortedAt = Number.NaN;
      for (const [name, { scheduler }] of [
        ['a', a],
        ['b', b],
      ] as const) {
        await scheduler.add({
          id: 'daemon',
          trigger: { daemon: true },
          run: (context) => {
            seen.push({ node: name, context, startedAt: Date.now() });
            return new Promise<void>((resolve) =>
              context.signal.addEventListener('abort', () => {
                if (name === 'a') abortedAt = Date.now();
                resolve();
              }),
            );
          },
        });
      }
      await a.scheduler.start();
      await until('a to run the daemon', () => seen.length === 1);
      await b.scheduler.start();
      await sleep(LEASE_MS);
      stalled.stall();
      const stalledAt = Date.now();
      await until('b to take the daemon over', () => seen.length === 2, 3 * LEASE_MS);
      const tookMs = Date.now() - stalledAt;
      expect(seen.map((entry) => entry.node)).toEqual(['a', 'b']);
      // Not before the lease (renewed up to a third of it before the stall, a renewal possibly late).
      expect(tookMs).toBeGreaterThanOrEqual(LEASE_MS / 3);
      // The owner gives it up when its lease runs out (the fake-time suite checks the exact moment).
      await until('a to abort the daemon', () => seen[0]!.context.signal.aborted, LEASE_MS);
      expect(abortedAt).toBeLessThan(seen[1]!.startedAt + LEASE_MS / 3);
      expect(a.of('lost')).toHaveLength(1);
      expect(b.of('retried')).toEqual([expect.objectContaining({ jobId: 'daemon', owner: 'a' })]);
    },
  );

  core(
    'remove deletes a job and its runs for every scheduler; removing it again is JOB_NOT_FOUND',
    async () => {
      const a = node('a');
      const b = node('b');
      for (const { scheduler } of [a, b]) {
        await scheduler.add({ id: 'tick', trigger: { interval: 0.1 }, run: () => {} });
        await scheduler.add({ id: 'kept', trigger: { interval: 60 }, run: () => {} });
        await scheduler.start();
      }
      await until('a run', async () => (await store.listRuns({ scheduleId: 'tick' })).length > 0);
      await b.scheduler.remove('tick');
      expect(a.of('storeError')).toEqual([]);
      expect(await a.scheduler.get('tick')).toBeUndefined();
      expect(await store.listRuns({ scheduleId: 'tick' })).toEqual([]);
      await expect(a.scheduler.remove('tick')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
      await expect(a.scheduler.pause('tick')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
      expect((await a.scheduler.list()).map((job) => job.id)).toEqual(['kept']);
    },
  );

  full('pause and resume (from a past time, coalesced) and reschedule, for every scheduler', async () => {
    const a = node('a');
    const b = node('b');
    let runs = 0;
    for (const { scheduler } of [a, b]) {
      await scheduler.add({ id: 'tick', trigger: { interval: 0.2 }, run: () => void runs++ });
      await scheduler.add({
        id: 'daemon',
        trigger: { daemon: true },
        run: ({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)),
      });
      await scheduler.start();
    }
    await until('two runs', () => runs >= 2);
    await a.scheduler.pause('tick');
    const pausedAt = new Date();
    const info = await b.scheduler.get('tick');
    expect(info).toMatchObject({ paused: true, nextRunAt: null });
    await sleep(100);
    const whilePaused = runs;
    await sleep(900);
    expect(runs).toBe(whilePaused);

    // NOTE: a fire late by more than a period (a loaded machine) may have been coalesced before.
    const coalescedBefore = [...a.of('coalesced'), ...b.of('coalesced')].length;
    await b.scheduler.resume('tick', { from: pausedAt });
    await until('the resumed run', () => runs > whilePaused);
    const coalesced = [...a.of('coalesced'), ...b.of('coalesced')].slice(coalescedBefore);
    expect(coalesced.length).toBeGreaterThanOrEqual(1);
    const { firstScheduledAt, lastScheduledAt } = coalesced[0]!;
    expect(firstScheduledAt.getTime()).toBeGreaterThanOrEqual(pausedAt.getTime());
    expect(lastScheduledAt.getTime() - firstScheduledAt.getTime()).toBeGreaterThanOrEqual(600);

    const before = Math.floor(await store.now());
    const rescheduled = await a.scheduler.reschedule('tick', { interval: 3600 });
    expect(rescheduled.trigger).toEqual({ interval: 3600 });
    expect(rescheduled.nextRunAt!.getTime()).toBeGreaterThanOrEqual(before + HOUR);
    expect((await b.scheduler.get('tick'))?.trigger).toEqual({ interval: 3600 });
    await expect(a.scheduler.reschedule('daemon', { interval: 1 })).rejects.toMatchObject({
      code: 'INVALID_TRIGGER',
    });
    expect((await a.scheduler.get('daemon'))?.trigger).toEqual({ daemon: true });
  });

  core('runNow queues a fresh fire key, respects maxInstances, and list/get count running runs', async () => {
    const gate = latch();
    const a = node('a');
    const b = node('b');
    for (const { scheduler } of [a, b]) {
      await scheduler.add({ id: 'manual', trigger: { interval: 3600 }, run: gate.run });
      await scheduler.add({ id: 'other', trigger: { interval: 60 }, run: () => {} });
      await scheduler.start();
    }
    const { fireKey } = await a.scheduler.runNow('manual');
    expect(fireKey).toMatch(/^manual@\d{4}-\d\d-\d\dT/);
    await until('the manual run to start', () => gate.seen.length === 1);
    expect(gate.seen[0]!.fireKey).toBe(fireKey);
    expect((await b.scheduler.get('manual'))?.running).toBe(1);
    expect((await b.scheduler.list()).map((job) => [job.id, job.running])).toEqual([
      ['other', 0],
      ['manual', 1],
    ]);

    const second = await b.scheduler.runNow('manual');
    expect(second.fireKey).not.toBe(fireKey);
    await until(
      'the second manual run to be skipped',
      async () => (await store.listRuns({ states: ['skipped'] })).length === 1,
    );
    expect([...a.of('skipped'), ...b.of('skipped')].map((event) => event.jobId)).toEqual(['manual']);
    gate.release();
    await until(
      'the first manual run to succeed',
      async () => (await store.listRuns({ states: ['succeeded'] })).length === 1,
    );
    expect((await a.scheduler.get('manual'))?.running).toBe(0);
    await expect(a.scheduler.runNow('missing')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  full(
    'pruneRuns deletes finished runs fired before the cut-off and keeps pending and running ones',
    async () => {
      await addJobs(
        { id: 'done', trigger: { date: Date.now() - 500 }, misfireGraceTime: null },
        { id: 'busy', trigger: { date: Date.now() - 500 }, misfireGraceTime: null },
      );
      const [done] = (await store.fire('a', ['done'], 10, 60_000, plan)).inserted;
      await store.finish('a', [{ id: done!.id, attempt: 1, state: 'succeeded', error: null }]);
      await store.fire('a', ['busy'], 10, 60_000, plan);
      await store.setPaused('busy', true);
      await store.insertManualRun('busy');
      expect(await store.pruneRuns(done!.scheduledAt)).toBe(0);
      expect(await store.pruneRuns((await store.now()) + SECOND)).toBe(1);
      expect((await store.listRuns()).map((run) => [run.scheduleId, run.state])).toEqual([
        ['busy', 'running'],
        ['busy', 'pending'],
      ]);
    },
  );

  full(
    'after an hour with every process down: latest one run, earliest the oldest, all the backfill window',
    async () => {
      const common = { trigger: { interval: 60 }, misfireGraceTime: null, maxInstances: 20 } as const;
      const jobs: Array<Omit<ClusterJobDefinition, 'run'>> = [
        { id: 'latest', ...common, coalesce: 'latest' },
        { id: 'earliest', ...common, coalesce: 'earliest' },
        { id: 'all', ...common, coalesce: 'all', backfillWindow: 600 },
      ];
      await addJobs(...jobs);
      // The state an hour of downtime leaves: every schedule's next fire (and anchor) an hour back.
      const anchors = new Map<string, number>();
      for (const id of ['latest', 'earliest', 'all']) {
        await store.redefine(id, ({ id: _, paused: __, ...row }) => {
          anchors.set(id, row.options.anchorMs!);
          return {
            ...row,
            options: { ...row.options, anchorMs: row.options.anchorMs! - HOUR },
            nextFireAt: row.nextFireAt! - HOUR,
          };
        });
      }
      const ran: string[] = [];
      const nodes = [node('a'), node('b')];
      const before = await store.now();
      for (const { scheduler } of nodes) {
        for (const job of jobs) await scheduler.add({ ...job, run: ({ fireKey }) => void ran.push(fireKey) });
        await scheduler.start();
      }
      await until(
        'the catch-up runs',
        async () => (await store.listRuns({ states: ['succeeded'] })).length >= 12,
      );
      await sleep(200);
      const after = await store.now();
      for (const { scheduler } of nodes) await scheduler.shutdown();
      const runsOf = async (id: string) =>
        (await store.listRuns({ scheduleId: id })).map((run) => ({
          at: run.scheduledAt,
          state: run.state,
          range: run.rangeFrom === null ? null : [run.rangeFrom, run.rangeTo],
        }));
      const firstOf = (id: string) => anchors.get(id)! - HOUR + MINUTE;

      expect(await runsOf('latest')).toEqual([
        {
          at: anchors.get('latest')!,
          state: 'succeeded',
          range: [firstOf('latest'), anchors.get('latest')!],
        },
      ]);
      expect(await runsOf('earliest')).toEqual([
        {
          at: firstOf('earliest'),
          state: 'succeeded',
          range: [firstOf('earliest'), anchors.get('earliest')!],
        },
      ]);
      const all = await runsOf('all');
      const [range, ...kept] = all;
      const last = anchors.get('all')!;
      // Kept: every fire within 600 s of the moment of the catch-up (between `before` and `after`).
      expect(kept.every((run) => run.state === 'succeeded' && run.range === null)).toBe(true);
      expect(kept.map((run) => run.at)).toEqual(
        Array.from({ length: kept.length }, (_, index) => last - (kept.length - 1 - index) * MINUTE),
      );
      expect(kept[0]!.at).toBeGreaterThanOrEqual(before - 600 * SECOND);
      expect(kept[0]!.at - MINUTE).toBeLessThan(after - 600 * SECOND);
      expect(range).toEqual({
        at: kept[0]!.at - MINUTE,
        state: 'missed',
        range: [firstOf('all'), kept[0]!.at - MINUTE],
      });
      expect(ran.filter((key) => key.startsWith('all@'))).toHaveLength(kept.length);
      expect(ran).toHaveLength(kept.length + 2);
    },
  );
});

describe.skipIf(DATABASE_URL === undefined)('PostgresJobStore: setup while other processes run', () => {
  it('a replica starting while another fires does not deadlock with it', async () => {
    const prefix = `t_contract_${randomBytes(5).toString('hex')}_`;
    const base = pgPoolPort(poolOf());
    let hold: { reached: () => void; released: Promise<void> } | undefined;
    // A process whose fire() transaction is between its INSERT of runs and its UPDATE of schedules.
    const port: SqlPort = {
      ...base,
      transaction: (work) =>
        base.transaction((query) =>
          work(async (sql, params) => {
            const rows = await query(sql, params);
            if (hold !== undefined && /^\s*INSERT INTO \S+runs"/.test(sql)) {
              hold.reached();
              await hold.released;
            }
            return rows;
          }),
        ),
    };
    const firing = new PostgresJobStore(port, { prefix });
    try {
      await firing.setup();
      const admin = new ClusterScheduler({ store: firing, nodeId: 'admin' });
      await admin.add({
        id: 'due',
        trigger: { date: Date.now() - 100 },
        misfireGraceTime: null,
        run: () => {},
      });
      let release = () => {};
      const reached = new Promise<void>((resolve) => {
        hold = { reached: resolve, released: new Promise<void>((done) => (release = done)) };
      });
      const fire = firing.fire('a', ['due'], 10, 60_000, plan);
      await reached;
      const setup = new PostgresJobStore(pgPoolPort(poolOf()), { prefix }).setup();
      await sleep(200);
      release();
      const [fired] = await Promise.all([fire, setup]);
      expect(fired.inserted.map((run) => run.state)).toEqual(['running']);
    } finally {
      await dropStore(prefix);
    }
  });
});
