import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  Cluster,
  DATABASE_URL,
  type Effect,
  everyChild,
  expectEveryFireOnce,
  fireKey,
  fireTimes,
  type JobRole,
  MINUTE,
  maxOverlap,
  type Role,
  SECOND,
  sleep,
  until,
} from '../_test/cluster-harness.js';
import type { RunRow } from './store.js';

// Multi-process tests of the PostgreSQL store (issue 8): real child processes (src/_test/cluster-child.mjs,
// running the BUILT package: `pnpm -F @hookdex/scheduler build` first) killed with SIGKILL, stopped with
// SIGSTOP, with skewed clocks. Waits are real time; each test waits for conditions in the database
// with deadlines. The whole file takes about two minutes.

describe.skipIf(DATABASE_URL === undefined)('ClusterScheduler across processes (DATABASE_URL)', () => {
  let pool: pg.Pool;
  let cluster: Cluster | undefined;
  const newCluster = async (): Promise<Cluster> => {
    cluster = new Cluster(pool);
    await cluster.setup();
    return cluster;
  };

  beforeAll(() => {
    assertBuilt();
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  });

  afterEach(async () => {
    await cluster?.dispose();
    cluster = undefined;
  }, 30_000);

  afterAll(async () => {
    for (const child of everyChild) if (child.alive) child.process.kill('SIGKILL');
    await Promise.all([...everyChild].map((child) => child.exited));
    await pool?.end();
  }, 30_000);

  it('runs every fire once while one of 4 processes is SIGKILLed and restarted every few seconds', async () => {
    const c = await newCluster();
    const leaseMs = 2000;
    // NOTE: the issue asks for a per-minute schedule next to the per-second one; a minute is longer
    // than this file's time budget allows, so the slow schedule is a 5 s interval (several fires in
    // the window, each run long enough to be killed mid-way).
    const jobs: JobRole[] = [
      {
        id: 'every-second',
        trigger: { cron: '* * * * * *' },
        options: { coalesce: 'all', maxInstances: 3 },
        durationMs: 500,
      },
      {
        id: 'every-five-seconds',
        trigger: { interval: 5 },
        options: { coalesce: 'all', onCrash: 'retry', maxAttempts: 10 },
        durationMs: 1500,
      },
    ];
    const generations = [0, 0, 0, 0];
    const roleOf = (slot: number): Role => ({ nodeId: `n${slot}.${generations[slot]}`, jobs, leaseMs });
    const slots = await c.spawnReady([0, 1, 2, 3].map(roleOf));
    const chaosEnd = Date.now() + 40_000;
    let kills = 0;
    while (Date.now() < chaosEnd) {
      await sleep(1000 + Math.random() * 1500);
      // Every third kill hits a process in the middle of a per-second run, every third one in the
      // middle of a 5 s run (waiting for one to start), the rest a random process.
      let victim: string | undefined;
      const live = slots.map((child) => child.nodeId);
      if (kills % 3 !== 2) {
        const jobId = kills % 3 === 0 ? 'every-second' : 'every-five-seconds';
        victim = await until(
          `a live process runs ${jobId}`,
          async () => (await c.liveOwners(jobId)).find((owner) => live.includes(owner)),
          6000,
          20,
        ).catch(() => undefined);
      }
      const slot = victim === undefined ? Math.floor(Math.random() * 4) : live.indexOf(victim);
      await c.kill(slots[slot]!);
      kills++;
      generations[slot]!++;
      slots[slot] = c.spawn(roleOf(slot));
      await c.ready(slots[slot]!);
    }
    // The whole cluster crashes at once; then every lease expires and is reaped.
    const crashedAt = Date.now();
    await Promise.all(slots.map((child) => c.kill(child)));
    // A fire written ahead of time (lookaheadMs) that came due after the crash waits, unclaimed.
    const waitingAhead = (run: RunRow) =>
      run.state === 'pending' && run.attempt === 0 && run.scheduledAt >= crashedAt - SECOND;
    await until('every lease expired', async () => (await c.unexpiredLeases()) === 0, leaseMs + 3000);
    await c.store.reap();

    expect(kills).toBeGreaterThanOrEqual(5);
    const fatal = c.children.flatMap((child) => child.events.filter((event) => event.type === 'fatal'));
    expect(fatal).toEqual([]);

    // Per second, onCrash 'abandon': at most once per fire.
    const secondTimes = await c.perSecondFires('every-second');
    expect(secondTimes.length).toBeGreaterThanOrEqual(35);
    const secondRuns = await c.runs('every-second');
    expectEveryFireOnce('every-second', secondRuns, secondTimes);
    const secondEffects = await c.effectsByFireKey('every-second');
    for (const run of secondRuns) {
      const effects = secondEffects.get(fireKey(run.scheduleId, run.scheduledAt)) ?? [];
      const label = `${run.state} run ${fireKey(run.scheduleId, run.scheduledAt)}`;
      if (waitingAhead(run)) {
        expect(effects, label).toEqual([]);
        continue;
      }
      expect(['succeeded', 'abandoned', 'missed', 'skipped'], label).toContain(run.state);
      if (run.state === 'succeeded') {
        expect(effects.length, label).toBe(1);
        expect(effects[0]!.endedAt, label).not.toBeNull();
      } else if (run.state === 'abandoned') {
        expect(effects.length, label).toBeLessThanOrEqual(1);
        expect(run.error, label).toMatch(/lease .* expired/);
      } else expect(effects, label).toEqual([]);
    }
    expect(secondRuns.filter((run) => run.state === 'abandoned').length).toBeGreaterThanOrEqual(1);

    // Every 5 s, onCrash 'retry': at least once per fire, each attempt at most once.
    const five = await c.schedule('every-five-seconds');
    expect(Number.isInteger(five.anchorMs), `anchor ${five.anchorMs} in whole milliseconds`).toBe(true);
    const fiveTimes = fireTimes(five.anchorMs! + 5 * SECOND, five.nextFireAt, 5 * SECOND);
    expect(fiveTimes.length).toBeGreaterThanOrEqual(7);
    const fiveRuns = await c.runs('every-five-seconds');
    expectEveryFireOnce('every-five-seconds', fiveRuns, fiveTimes);
    const fiveEffects = await c.effectsByFireKey('every-five-seconds');
    for (const run of fiveRuns) {
      const effects = fiveEffects.get(fireKey(run.scheduleId, run.scheduledAt)) ?? [];
      const label = `${run.state} run ${fireKey(run.scheduleId, run.scheduledAt)} at attempt ${run.attempt}`;
      const attempts = effects.map((effect) => effect.attempt);
      expect(new Set(attempts).size, `${label}: one effect per attempt`).toBe(attempts.length);
      expect(
        attempts.every((attempt) => attempt >= 1 && attempt <= run.attempt),
        `${label}: effects ${attempts}`,
      ).toBe(true);
      if (run.state === 'succeeded') {
        const last = effects.find((effect) => effect.attempt === run.attempt);
        expect(last?.endedAt, label).toBeTypeOf('number');
      } else if (waitingAhead(run)) {
        expect(effects, label).toEqual([]);
      } else if (run.state === 'pending') {
        // Reaped when the cluster crashed: waiting for its next attempt.
        expect(run.attempt, label).toBeGreaterThanOrEqual(1);
      } else {
        expect(['missed', 'skipped'], label).toContain(run.state);
        expect(effects, label).toEqual([]);
      }
    }
    expect(fiveRuns.filter((run) => run.attempt >= 2).length).toBeGreaterThanOrEqual(1);

    const left = await c.store.listRuns({ states: ['running'] });
    expect(left).toEqual([]);
  }, 120_000);

  it.each(['retry', 'abandon'] as const)(
    'lets no process stopped with SIGSTOP past its lease record its run (onCrash: %s)',
    async (onCrash) => {
      const c = await newCluster();
      const leaseMs = 1200;
      const fireAt = (await c.dbNow()) + 3000;
      const job: JobRole = {
        id: 'slow',
        trigger: { date: new Date(fireAt).toISOString() },
        options: { onCrash, misfireGraceTime: null },
        durationMs: 3000,
      };
      await c.spawnReady([1, 2, 3].map((slot) => ({ nodeId: `n${slot}`, jobs: [job], leaseMs })));
      const [first] = await until(
        'the run started',
        async () => {
          const effects = await c.effects('slow');
          return effects.length > 0 && effects;
        },
        10_000,
        20,
      );
      const stopped = c.byNode(first!.nodeId);
      stopped.process.kill('SIGSTOP');
      const settled = onCrash === 'retry' ? 'succeeded' : 'abandoned';
      const [run] = await until(
        `the run is ${settled}`,
        async () => {
          const runs = await c.runs('slow');
          return runs[0]?.state === settled && runs;
        },
        15_000,
      );
      stopped.process.kill('SIGCONT');
      await until(
        'the resumed process lost the run and aborted it',
        async () =>
          ['lost', 'aborted', 'finished'].every((type) =>
            stopped.events.some((event) => event.type === type && event.attempt === 1),
          ),
        10_000,
      );
      // A graceful stop flushes whatever result the process still holds: nothing may reach the row.
      await c.stop(stopped);
      expect(await c.runs('slow')).toEqual([run]);

      const effects = await c.effects('slow');
      if (onCrash === 'retry') {
        expect(run).toMatchObject({ state: 'succeeded', attempt: 2 });
        expect(run!.owner).not.toBe(stopped.nodeId);
        expect(effects.map(({ nodeId, attempt }) => ({ nodeId, attempt }))).toEqual([
          { nodeId: stopped.nodeId, attempt: 1 },
          { nodeId: run!.owner, attempt: 2 },
        ]);
        expect(effects[1]!.aborted).toBe(false);
        expect(c.events('retried').map((event) => event.attempt)).toEqual([1]);
      } else {
        expect(run).toMatchObject({ state: 'abandoned', attempt: 1, owner: null });
        expect(effects.map(({ nodeId, attempt }) => ({ nodeId, attempt }))).toEqual([
          { nodeId: stopped.nodeId, attempt: 1 },
        ]);
        expect(c.events('abandoned').map((event) => event.attempt)).toEqual([1]);
      }
      expect(effects[0]!.aborted).toBe(true);
      expect(c.events('started').filter((event) => event.attempt! > 2)).toEqual([]);
    },
    45_000,
  );

  it('fires once per fire key at database time with local clocks 30 s ahead and 30 s behind', async () => {
    const c = await newCluster();
    const jobs: JobRole[] = [{ id: 'tick', trigger: { cron: '* * * * * *' }, durationMs: 50 }];
    // NOTE: a long poll interval, so a process that slept by its own clock would wake seconds late.
    const role = (nodeId: string, skewMs: number): Role => ({ nodeId, jobs, skewMs, pollIntervalMs: 5000 });
    const effectsBy = async (nodeId: string) =>
      (await c.effects('tick')).filter((effect) => effect.nodeId === nodeId).length;
    // Each skewed process alone, then both together.
    const [behind] = await c.spawnReady([role('behind', -30_000)]);
    await until(
      'the process 30 s behind fired 3 times',
      async () => (await effectsBy('behind')) >= 3,
      10_000,
    );
    await c.spawnReady([role('ahead', 30_000)]);
    await c.stop(behind!);
    await until('the process 30 s ahead fired 3 times', async () => (await effectsBy('ahead')) >= 3, 10_000);
    await c.spawnReady([role('behind-again', -30_000)]);
    const before = (await c.runs('tick')).length;
    await until('4 more fires', async () => (await c.runs('tick')).length >= before + 4, 10_000);
    const stoppedAt = await c.dbNow();
    await Promise.all(c.children.map((child) => c.stop(child)));

    const times = await c.perSecondFires('tick');
    const runs = await c.runs('tick');
    expectEveryFireOnce('tick', runs, times);
    // A fire due while the processes were stopping may be given back as pending (the next process takes it).
    const settled = times.filter((at) => at < stoppedAt - SECOND);
    expect(settled.length).toBeGreaterThanOrEqual(8);
    expect(runs.filter((run) => run.state === 'succeeded').map((run) => run.scheduledAt)).toEqual(
      expect.arrayContaining(settled),
    );
    expect(runs.filter((run) => !['succeeded', 'pending'].includes(run.state))).toEqual([]);
    const effects = await c.effects('tick');
    expect(effects.map((effect) => effect.fireKey)).toEqual(
      runs.filter((run) => run.state === 'succeeded').map((run) => fireKey('tick', run.scheduledAt)),
    );
    for (const effect of effects) {
      const scheduledAt = Date.parse(effect.fireKey.slice('tick@'.length));
      const lateMs = effect.startedAt - scheduledAt;
      expect(lateMs, `${effect.fireKey} started ${lateMs} ms after its time`).toBeGreaterThanOrEqual(0);
      expect(lateMs, `${effect.fireKey} started ${lateMs} ms after its time`).toBeLessThan(1000);
    }
  }, 60_000);

  it('catches up an hour of downtime by coalesce policy and backfill window', async () => {
    const c = await newCluster();
    const every = { trigger: { cron: '* * * * *' }, durationMs: 20 };
    const jobs: JobRole[] = [
      { id: 'latest', ...every, options: { coalesce: 'latest', misfireGraceTime: null } },
      { id: 'earliest', ...every, options: { coalesce: 'earliest', misfireGraceTime: null } },
      {
        id: 'all',
        ...every,
        options: { coalesce: 'all', misfireGraceTime: null, backfillWindow: 1800, maxInstances: 40 },
      },
    ];
    const roles = ['n1', 'n2'].map((nodeId) => ({ nodeId, jobs }));
    // NOTE: the test must not cross a minute boundary (a regular fire would mix in), so it starts
    // with at least 20 s to the next one (it takes a few seconds).
    const now = await c.dbNow();
    if (MINUTE - (now % MINUTE) < 20_000) await sleep(MINUTE - (now % MINUTE) + 200);
    await c.spawnReady(roles);
    await Promise.all(c.children.map((child) => c.kill(child)));
    const next = (await c.schedule('latest')).nextFireAt;
    for (const id of ['earliest', 'all']) expect((await c.schedule(id)).nextFireAt).toBe(next);
    expect(await c.store.listRuns()).toEqual([]);

    // What the tables hold after every process was down for an hour of schedule time: 60 fires due.
    const firstMissed = next - 60 * MINUTE;
    const lastMissed = next - MINUTE;
    await c.moveNextFires(firstMissed);
    await c.spawnReady(roles.map((role) => ({ ...role, nodeId: `${role.nodeId}.restarted` })));
    const caughtUp = async (id: string, runs: number) => {
      const rows = await c.runs(id);
      return rows.filter((run) => run.state === 'succeeded').length >= runs && rows;
    };
    await until('latest caught up', () => caughtUp('latest', 1), 15_000);
    await until('earliest caught up', () => caughtUp('earliest', 1), 15_000);
    await until('all caught up', () => caughtUp('all', 30), 15_000);
    await Promise.all(c.children.map((child) => c.kill(child)));
    expect(await c.dbNow(), 'the test ran into the next minute').toBeLessThan(next);
    const range = { rangeFrom: firstMissed, rangeTo: lastMissed };

    // latest: one run, at the newest fire, standing for the whole hour.
    expect(await c.runs('latest')).toMatchObject([
      { state: 'succeeded', attempt: 1, scheduledAt: lastMissed, ...range },
    ]);
    expect((await c.effects('latest')).map((effect) => effect.fireKey)).toEqual([
      fireKey('latest', lastMissed),
    ]);

    // earliest: one run, at the oldest fire, standing for the whole hour.
    expect(await c.runs('earliest')).toMatchObject([
      { state: 'succeeded', attempt: 1, scheduledAt: firstMissed, ...range },
    ]);
    expect((await c.effects('earliest')).map((effect) => effect.fireKey)).toEqual([
      fireKey('earliest', firstMissed),
    ]);

    // all: one missed run for the fires older than the 30 min window, then each fire within it.
    const windowStart = next - 30 * MINUTE;
    const backfill = fireTimes(windowStart, next, MINUTE);
    expect(await c.runs('all')).toMatchObject([
      {
        state: 'missed',
        scheduledAt: windowStart - MINUTE,
        rangeFrom: firstMissed,
        rangeTo: windowStart - MINUTE,
      },
      ...backfill.map((at) => ({ state: 'succeeded', scheduledAt: at, rangeFrom: null, rangeTo: null })),
    ]);
    expect((await c.effects('all')).map((effect) => effect.fireKey).sort()).toEqual(
      backfill.map((at) => fireKey('all', at)).sort(),
    );
  }, 60_000);

  it('holds maxInstances 1 and 2 across 3 processes and skips the excess fires', async () => {
    const c = await newCluster();
    // NOTE: coalesce 'all' gives every fire its own row (run or skipped) even when a busy machine
    // makes a process late; 'latest' would fold late fires into one run.
    const every = { trigger: { cron: '* * * * * *' }, durationMs: 2500 };
    const jobs: JobRole[] = [
      { id: 'one', ...every, options: { maxInstances: 1, coalesce: 'all', misfireGraceTime: null } },
      { id: 'two', ...every, options: { maxInstances: 2, coalesce: 'all', misfireGraceTime: null } },
    ];
    await c.spawnReady(['n1', 'n2', 'n3'].map((nodeId) => ({ nodeId, jobs })));
    const succeeded = async (id: string) =>
      (await c.runs(id)).filter((run) => run.state === 'succeeded').length;
    await until(
      '3 runs of "one" and 5 of "two" finished',
      async () => {
        return (await succeeded('one')) >= 3 && (await succeeded('two')) >= 5;
      },
      25_000,
    );
    const stoppedAt = await c.dbNow();
    await Promise.all(c.children.map((child) => c.stop(child)));

    for (const [id, limit] of [
      ['one', 1],
      ['two', 2],
    ] as const) {
      const runs = await c.runs(id);
      expectEveryFireOnce(id, runs, await c.perSecondFires(id));
      const effects = await c.effects(id);
      expect(maxOverlap(effects), `most runs of "${id}" at once`).toBe(limit);
      const ran = runs.filter((run) => run.state === 'succeeded');
      const skipped = runs.filter((run) => run.state === 'skipped');
      expect(skipped.length).toBeGreaterThan(0);
      // A fire due while the processes were stopping may be given back as pending instead.
      const other = runs.filter((run) => run.state !== 'succeeded' && run.state !== 'skipped');
      expect(other.filter((run) => run.state !== 'pending' || run.scheduledAt < stoppedAt - SECOND)).toEqual(
        [],
      );
      expect(effects.map((effect) => effect.fireKey).sort()).toEqual(
        ran.map((run) => fireKey(id, run.scheduledAt)).sort(),
      );
    }
    expect(c.events('skipped').length).toBeGreaterThan(0);
  }, 60_000);

  it('runs a daemon on exactly one of 3 processes and fails over within the lease after SIGKILL', async () => {
    const c = await newCluster();
    const leaseMs = 2000;
    const jobs: JobRole[] = [{ id: 'daemon', trigger: { daemon: true }, hang: true, heartbeatMs: 100 }];
    let restarts = 0;
    await c.spawnReady(['n1', 'n2', 'n3'].map((nodeId) => ({ nodeId, jobs, leaseMs })));
    /** Waits until the newest effect has been alive longer than a lease, and returns it. */
    const steady = async (count: number): Promise<Effect> => {
      const effects = await until(
        `daemon run ${count} alive for longer than a lease`,
        async () => {
          const effects = await c.effects('daemon');
          const newest = effects.at(-1);
          const aliveMs = (newest?.endedAt ?? 0) - (newest?.startedAt ?? 0);
          return effects.length >= count && aliveMs > leaseMs + 500 && effects;
        },
        10_000,
      );
      expect(effects).toHaveLength(count);
      return effects.at(-1)!;
    };
    let owner = await steady(1);
    for (let failover = 1; failover <= 2; failover++) {
      const killedAt = await c.dbNow();
      await c.kill(c.byNode(owner.nodeId));
      restarts++;
      const replacement = c.spawn({ nodeId: `n${restarts}.restarted`, jobs, leaseMs });
      const next = await until(
        'another process took the daemon over',
        async () => (await c.effects('daemon')).find((effect) => effect.startedAt > killedAt),
        leaseMs + 4000,
        20,
      );
      expect(next.nodeId).not.toBe(owner.nodeId);
      expect(next.attempt).toBe(failover + 1);
      expect(next.startedAt - killedAt, 'takeover after the kill, ms').toBeLessThanOrEqual(leaseMs + 1000);
      await c.ready(replacement);
      owner = await steady(failover + 1);
    }
    const effects = await c.effects('daemon');
    for (let index = 1; index < effects.length; index++) {
      const previous = effects[index - 1]!;
      expect(
        effects[index]!.startedAt,
        'a daemon run started before the previous one stopped',
      ).toBeGreaterThan(previous.endedAt!);
    }
    const [run] = await c.runs('daemon');
    expect(run).toMatchObject({ state: 'running', attempt: 3, owner: owner.nodeId });
  }, 60_000);
});
