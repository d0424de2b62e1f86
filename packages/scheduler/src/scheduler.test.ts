import { describe, expect, it } from 'vitest';
import { createHarness, iso } from './_test/harness.js';
import type { JobContext } from './types.js';

describe('Scheduler: triggers', () => {
  it('fires a cron job at each matching time with jobId, scheduledAt and an AbortSignal', async () => {
    const { time, scheduler } = createHarness({ start: '2025-01-01T00:00:30Z' });
    const seen: JobContext[] = [];
    const firedAt: number[] = [];
    scheduler.add({
      id: 'minutely',
      trigger: { cron: '* * * * *' },
      run: (context) => {
        seen.push(context);
        firedAt.push(time.now());
      },
    });
    scheduler.start();
    await time.advance(3 * 60_000);
    expect(iso(seen.map((context) => context.scheduledAt))).toEqual([
      '2025-01-01T00:01:00.000Z',
      '2025-01-01T00:02:00.000Z',
      '2025-01-01T00:03:00.000Z',
    ]);
    expect(firedAt).toEqual(seen.map((context) => context.scheduledAt.getTime()));
    expect(seen[0]!.jobId).toBe('minutely');
    expect(seen[0]!.signal).toBeInstanceOf(AbortSignal);
    expect(seen[0]!.signal.aborted).toBe(false);
  });

  it('reads a cron expression in the job, trigger or scheduler time zone (trigger wins)', async () => {
    const { time, scheduler } = createHarness({ timezone: 'Asia/Tokyo' });
    scheduler.add({ id: 'scheduler-zone', trigger: { cron: '0 9 * * *' }, run: () => {} });
    scheduler.add({
      id: 'job-zone',
      timezone: 'Europe/Berlin',
      trigger: { cron: '0 9 * * *' },
      run: () => {},
    });
    scheduler.add({
      id: 'trigger-zone',
      timezone: 'Europe/Berlin',
      trigger: { cron: '0 9 * * *', timezone: 'America/New_York' },
      run: () => {},
    });
    scheduler.start();
    // 09:00 in Tokyo is exactly the start time: the first fire is strictly after start, a day later.
    expect(scheduler.get('scheduler-zone')!.nextRunAt!.toISOString()).toBe('2025-01-02T00:00:00.000Z');
    expect(scheduler.get('job-zone')!.nextRunAt!.toISOString()).toBe('2025-01-01T08:00:00.000Z');
    expect(scheduler.get('trigger-zone')!.nextRunAt!.toISOString()).toBe('2025-01-01T14:00:00.000Z');
    expect(scheduler.get('trigger-zone')!.options.timezone).toBe('America/New_York');
    await time.advance(0);
  });

  it('fires an interval job one interval after start, anchored, with no drift over 24 h', async () => {
    const { time, scheduler } = createHarness();
    const start = time.now();
    const scheduled: number[] = [];
    const lateness: number[] = [];
    scheduler.add({
      id: 'tick',
      trigger: { interval: 1 },
      run: ({ scheduledAt }) => {
        scheduled.push(scheduledAt.getTime());
        lateness.push(time.now() - scheduledAt.getTime());
      },
    });
    scheduler.start();
    await time.advance(999);
    expect(scheduled).toEqual([]);
    await time.advance(24 * 3600_000 - 999);
    expect(scheduled.length).toBe(24 * 3600);
    scheduled.forEach((at, index) => {
      if (at !== start + (index + 1) * 1000) throw new Error(`fire ${index + 1} at ${at}`);
    });
    expect(Math.max(...lateness)).toBe(0);
  });

  it('fires a date job once and then removes it', async () => {
    const { time, scheduler, of } = createHarness();
    const runs: string[] = [];
    scheduler.add({
      id: 'once',
      trigger: { date: '2025-01-01T00:00:05Z' },
      run: ({ scheduledAt }) => {
        runs.push(scheduledAt.toISOString());
      },
    });
    scheduler.start();
    await time.advance(60_000);
    expect(runs).toEqual(['2025-01-01T00:00:05.000Z']);
    expect(scheduler.get('once')).toBeUndefined();
    expect(of('removed')).toEqual([{ jobId: 'once', reason: 'finished' }]);
  });

  it('runs a date already past at once when within the grace time, and reports it missed otherwise', async () => {
    const { time, scheduler, of } = createHarness({ start: '2025-01-01T00:00:10Z' });
    const runs: string[] = [];
    scheduler.add({
      id: 'recent',
      trigger: { date: '2025-01-01T00:00:09.500Z' },
      run: () => void runs.push('recent'),
    });
    scheduler.add({
      id: 'stale',
      trigger: { date: '2025-01-01T00:00:05Z' },
      run: () => void runs.push('stale'),
    });
    scheduler.start();
    await time.advance(10);
    expect(runs).toEqual(['recent']);
    expect(of('missed').map((event) => [event.jobId, event.scheduledAt.toISOString()])).toEqual([
      ['stale', '2025-01-01T00:00:05.000Z'],
    ]);
    expect(scheduler.list()).toEqual([]);
  });

  it('respects startDate and endDate', async () => {
    const { time, scheduler, of } = createHarness();
    const runs: string[] = [];
    scheduler.add({
      id: 'window',
      trigger: { cron: '*/10 * * * * *' },
      startDate: '2025-01-01T00:00:25Z',
      endDate: '2025-01-01T00:00:50Z',
      run: ({ scheduledAt }) => void runs.push(scheduledAt.toISOString().slice(17, 19)),
    });
    scheduler.add({
      id: 'anchored',
      trigger: { interval: 15 },
      startDate: '2025-01-01T00:00:02Z',
      endDate: '2025-01-01T00:00:40Z',
      run: ({ scheduledAt }) => void runs.push(`i${scheduledAt.toISOString().slice(17, 19)}`),
    });
    scheduler.start();
    await time.advance(120_000);
    expect(runs).toEqual(['i17', '30', 'i32', '40', '50']);
    expect(of('removed').map((event) => event.jobId)).toEqual(['anchored', 'window']);
  });
});

describe('Scheduler: daemons', () => {
  it('starts daemons with start(), and shutdown aborts and waits for them', async () => {
    const { time, scheduler, of } = createHarness();
    const log: string[] = [];
    scheduler.add({
      id: 'worker',
      trigger: { daemon: true },
      run: ({ signal }) =>
        new Promise<void>((resolve) => {
          log.push('started');
          signal.addEventListener('abort', () => {
            setTimeout(() => {
              log.push('cleaned up');
              resolve();
            }, 5);
          });
        }),
    });
    await time.advance(1000);
    expect(log).toEqual([]);
    scheduler.start();
    await time.advance(0);
    expect(log).toEqual(['started']);
    expect(scheduler.get('worker')!.running).toBe(1);
    const result = await scheduler.shutdown();
    expect(log).toEqual(['started', 'cleaned up']);
    expect(result).toEqual({ timedOut: false, pending: 0 });
    expect(of('error')).toEqual([]);
  });

  it('treats a daemon that returns as a fatal error by default (DipDup) and stops the scheduler', async () => {
    const { time, scheduler, of } = createHarness();
    let otherAborted = false;
    scheduler.add({ id: 'quitter', trigger: { daemon: true }, run: async () => {} });
    scheduler.add({
      id: 'other',
      trigger: { daemon: true },
      run: ({ signal }) =>
        new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => {
            otherAborted = true;
            resolve();
          }),
        ),
    });
    scheduler.start();
    await time.advance(0);
    const [error] = of('error');
    expect(error!.jobId).toBe('quitter');
    expect(error!.fatal).toBe(true);
    expect(error!.error.message).toBe(
      'Daemon job "quitter" returned: daemon jobs are intended to run forever.',
    );
    expect(scheduler.running).toBe(false);
    expect(scheduler.error?.message).toContain('Job "quitter" failed');
    expect(of('stopped')).toEqual([{ reason: 'fatal', error: scheduler.error }]);
    expect(otherAborted).toBe(true);
    expect(() => scheduler.add({ id: 'late', trigger: { interval: 1 }, run: () => {} })).toThrow(
      /fatal job error/,
    );
  });

  it('restarts a failing daemon with back-off when onError is continue', async () => {
    const { time, scheduler, of } = createHarness();
    const starts: number[] = [];
    const begin = time.now();
    scheduler.add({
      id: 'flaky',
      onError: 'continue',
      trigger: { daemon: true },
      run: () => {
        starts.push(time.now() - begin);
        throw new Error('boom');
      },
    });
    scheduler.start();
    await time.advance(10_000);
    expect(starts).toEqual([0, 1000, 3000, 7000]);
    expect(of('error').every((event) => !event.fatal && event.error.message.includes('threw'))).toBe(true);
    expect((of('error')[0]!.error.cause as Error).message).toBe('boom');
    scheduler.pause('flaky');
    await time.advance(60_000);
    expect(starts.length).toBe(4);
    scheduler.resume('flaky');
    await time.advance(0);
    expect(starts.length).toBe(5);
    await scheduler.shutdown();
  });
});

describe('Scheduler: maxInstances', () => {
  it.each([1, 2, 3])(
    'never runs more than %i overlapping runs and reports the skipped fires',
    async (maxInstances) => {
      const { time, scheduler, of } = createHarness();
      let running = 0;
      let peak = 0;
      let starts = 0;
      scheduler.add({
        id: 'slow',
        maxInstances,
        trigger: { interval: 1 },
        run: () =>
          new Promise<void>((resolve) => {
            running++;
            starts++;
            peak = Math.max(peak, running);
            time.setTimeout(() => {
              running--;
              resolve();
            }, 3500);
          }),
      });
      scheduler.start();
      await time.advance(10_000);
      expect(peak).toBe(maxInstances);
      expect(starts + of('skipped').length).toBe(10);
      expect(of('skipped').every((event) => event.maxInstances === maxInstances)).toBe(true);
      expect(of('skipped').length).toBeGreaterThan(0);
      const stopped = scheduler.shutdown();
      await time.advance(5000);
      expect(await stopped).toEqual({ timedOut: false, pending: 0 });
      expect(running).toBe(0);
    },
  );
});
