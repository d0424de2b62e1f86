import { describe, expect, it } from 'vitest';
import { createHarness, iso } from './_test/harness.js';
import type { JobOptions } from './types.js';

/** A 1 Hz cron job whose event loop is blocked for 3.5 periods, from 00:00:00.2 to 00:00:03.7. */
async function blockedJob(options: JobOptions) {
  const harness = createHarness();
  const runs: string[] = [];
  harness.scheduler.add({
    id: 'tick',
    trigger: { cron: '* * * * * *' },
    ...options,
    run: ({ scheduledAt }) => void runs.push(scheduledAt.toISOString().slice(17, 19)),
  });
  harness.scheduler.start();
  await harness.time.advance(200);
  await harness.time.block(3500);
  const afterBlock = [...runs];
  await harness.time.advance(1300);
  const missed = harness.of('missed').map((event) => event.scheduledAt.toISOString().slice(17, 19));
  const coalesced = harness
    .of('coalesced')
    .map((event) =>
      [event.scheduledAt, event.firstScheduledAt, event.lastScheduledAt].map((d) => d.getSeconds()),
    );
  return { afterBlock, runs, missed, coalesced };
}

describe('Scheduler: a blocked event loop (3.5 periods)', () => {
  it('coalesce latest (the default) runs the latest due fire once', async () => {
    const result = await blockedJob({});
    expect(result.afterBlock).toEqual(['03']);
    expect(result.coalesced).toEqual([[3, 1, 3]]);
    expect(result.missed).toEqual([]);
    expect(result.runs).toEqual(['03', '04', '05']);
  });

  it('coalesce earliest runs the oldest due fire once when the grace time allows', async () => {
    const result = await blockedJob({ coalesce: 'earliest', misfireGraceTime: null });
    expect(result.afterBlock).toEqual(['01']);
    expect(result.coalesced).toEqual([[1, 1, 3]]);
    expect(result.runs).toEqual(['01', '04', '05']);
  });

  it('coalesce earliest with the default 1 s grace: the oldest fire is too late and is missed', async () => {
    const result = await blockedJob({ coalesce: 'earliest' });
    expect(result.afterBlock).toEqual([]);
    expect(result.missed).toEqual(['01']);
  });

  it('coalesce all (false) runs each due fire within the grace time and reports the others missed', async () => {
    const result = await blockedJob({ coalesce: false });
    expect(result.afterBlock).toEqual(['03']);
    expect(result.missed).toEqual(['01', '02']);
    expect(result.coalesced).toEqual([]);
    const generous = await blockedJob({ coalesce: 'all', misfireGraceTime: 5 });
    expect(generous.afterBlock).toEqual(['01', '02', '03']);
    expect(generous.missed).toEqual([]);
  });

  it('a grace time shorter than the lateness turns even the latest fire into a miss', async () => {
    const result = await blockedJob({ misfireGraceTime: 0.5 });
    expect(result.afterBlock).toEqual([]);
    expect(result.missed).toEqual(['03']);
    expect(result.runs).toEqual(['04', '05']);
  });

  it('catches up a long backlog with coalesce all in chunks, losing none', async () => {
    const { time, scheduler, of } = createHarness();
    let runs = 0;
    scheduler.add({
      id: 'tick',
      trigger: { cron: '* * * * * *' },
      coalesce: 'all',
      misfireGraceTime: null,
      maxInstances: 10_000,
      run: () => void runs++,
    });
    scheduler.start();
    await time.block(2 * 3600_000 + 500);
    await time.advance(10);
    expect(runs).toBe(7200);
    expect(of('missed')).toEqual([]);
  });
});

describe('Scheduler: the timer', () => {
  it('never sleeps longer than 60 s, and fires a yearly job, a 60-day date and a 30-day interval on time', async () => {
    const { time, scheduler } = createHarness();
    const fired: string[] = [];
    const record =
      (name: string) =>
      ({ scheduledAt }: { scheduledAt: Date }) =>
        void fired.push(`${name} ${scheduledAt.toISOString()} ${new Date(time.now()).toISOString()}`);
    scheduler.add({ id: 'yearly', trigger: { cron: '@yearly' }, run: record('yearly') });
    scheduler.add({ id: 'date', trigger: { date: '2025-03-02T00:00:00Z' }, run: record('date') });
    scheduler.add({ id: 'monthly', trigger: { interval: 30 * 86_400 }, run: record('interval') });
    scheduler.start();
    await time.advance(370 * 86_400_000);
    expect(fired).toEqual(
      [
        'interval 2025-01-31T00:00:00.000Z 2025-01-31T00:00:00.000Z',
        'date 2025-03-02T00:00:00.000Z 2025-03-02T00:00:00.000Z',
        ...Array.from({ length: 11 }, (_, index) => {
          const at = new Date(
            Date.parse('2025-01-01T00:00:00Z') + (index + 2) * 30 * 86_400_000,
          ).toISOString();
          return `interval ${at} ${at}`;
        }),
        'yearly 2026-01-01T00:00:00.000Z 2026-01-01T00:00:00.000Z',
      ].sort((a, b) => a.split(' ')[1]!.localeCompare(b.split(' ')[1]!)),
    );
    expect(time.requestedDelays.reduce((a, b) => Math.max(a, b))).toBeLessThanOrEqual(60_000);
    expect(time.requestedDelays.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(1);
  });

  it('honours maxSleepMs', async () => {
    const { time, scheduler } = createHarness({ maxSleepMs: 5000 });
    scheduler.add({ id: 'daily', trigger: { cron: '@daily' }, run: () => {} });
    scheduler.start();
    await time.advance(60_000);
    expect(Math.max(...time.requestedDelays)).toBe(5000);
  });

  it('fires a job once, late by at most the sleep cap, when the wall clock jumps forward past it', async () => {
    const { time, scheduler } = createHarness();
    const fired: number[] = [];
    scheduler.add({
      id: 'at-one',
      trigger: { cron: '0 1 * * *' },
      misfireGraceTime: null,
      run: () => void fired.push(time.now()),
    });
    scheduler.start();
    await time.advance(10_000);
    time.jump(2 * 3600_000);
    await time.advance(60_000);
    expect(fired.length).toBe(1);
    expect(fired[0]! - Date.parse('2025-01-01T02:00:10Z')).toBeLessThanOrEqual(60_000);
    await time.advance(3600_000);
    expect(fired.length).toBe(1);
  });

  it('does not fire already fired slots again when the wall clock jumps backwards', async () => {
    const { time, scheduler } = createHarness();
    const scheduled: number[] = [];
    scheduler.add({
      id: 'tick',
      trigger: { cron: '* * * * * *' },
      run: ({ scheduledAt }) => void scheduled.push(+scheduledAt),
    });
    scheduler.start();
    await time.advance(10_500);
    time.jump(-5000);
    await time.advance(10_000);
    expect(new Set(scheduled).size).toBe(scheduled.length);
    expect(iso([scheduled[0]!, scheduled.at(-1)!])).toEqual([
      '2025-01-01T00:00:01.000Z',
      '2025-01-01T00:00:15.000Z',
    ]);
    expect(scheduled.length).toBe(15);
  });

  it('does not fire early or twice when timers wake 0.5 ms before their target', async () => {
    const { time, scheduler } = createHarness({ earlyWakeMs: 0.5 });
    const begin = time.now();
    const fires = { cron: [] as Array<[number, number]>, interval: [] as Array<[number, number]> };
    scheduler.add({
      id: 'cron',
      trigger: { cron: '* * * * * *' },
      run: ({ scheduledAt }) => void fires.cron.push([+scheduledAt, time.now()]),
    });
    scheduler.add({
      id: 'interval',
      trigger: { interval: 0.25 },
      run: ({ scheduledAt }) => void fires.interval.push([+scheduledAt, time.now()]),
    });
    scheduler.start();
    await time.advance(100_000);
    for (const [name, period] of [
      ['cron', 1000],
      ['interval', 250],
    ] as const) {
      const list = fires[name];
      expect(list.map(([scheduledAt]) => scheduledAt)).toEqual(
        Array.from({ length: 100_000 / period }, (_, index) => begin + (index + 1) * period),
      );
      for (const [scheduledAt, firedAt] of list) {
        expect(firedAt).toBeGreaterThanOrEqual(scheduledAt);
        expect(firedAt - scheduledAt).toBeLessThanOrEqual(1);
      }
    }
  });

  it('dispatches 10,000 jobs due in the same second in one wake, none lost or doubled', async () => {
    const { time, scheduler } = createHarness();
    const counts = new Map<string, number>();
    for (let index = 0; index < 10_000; index++) {
      scheduler.add({
        id: `job-${index}`,
        trigger: { cron: '* * * * * *' },
        run: ({ jobId, scheduledAt }) => {
          const key = `${jobId}@${scheduledAt.getTime()}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          if (time.now() !== scheduledAt.getTime()) throw new Error(`late: ${key}`);
        },
      });
    }
    scheduler.start();
    await time.advance(3000);
    expect(counts.size).toBe(30_000);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    await scheduler.shutdown();
  });

  it('calls unref on its timer when asked', async () => {
    const { time, scheduler } = createHarness({ unref: true });
    let unrefs = 0;
    const original = time.setTimeout.bind(time);
    time.setTimeout = (callback, delay) => {
      const handle = original(callback, delay);
      handle.unref = () => void unrefs++;
      return handle;
    };
    scheduler.add({ id: 'tick', trigger: { interval: 1 }, run: () => {} });
    scheduler.start();
    await time.advance(3000);
    expect(unrefs).toBeGreaterThanOrEqual(3);
  });

  it('delays each fire by forward-only jitter that never reaches the next fire', async () => {
    for (const draw of [0, 0.5, 0.999999]) {
      const { time, scheduler } = createHarness({ random: () => draw });
      const lateness: number[] = [];
      scheduler.add({
        id: 'jittery',
        trigger: { interval: 2 },
        jitter: 10,
        run: ({ scheduledAt }) => void lateness.push(time.now() - scheduledAt.getTime()),
      });
      scheduler.start();
      await time.advance(20_000);
      expect(lateness.length).toBeGreaterThanOrEqual(8);
      for (const late of lateness) {
        expect(late).toBeGreaterThanOrEqual(0);
        expect(late).toBeLessThan(2000);
      }
      if (draw === 0) expect(Math.max(...lateness)).toBe(0);
      if (draw === 0.5) expect(Math.abs(lateness[0]! - 999.5)).toBeLessThanOrEqual(0.5);
    }
  });
});
