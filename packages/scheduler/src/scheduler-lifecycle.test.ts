import { describe, expect, it } from 'vitest';
import { createHarness, iso } from './_test/harness.js';
import { SchedulerError } from './errors.js';

const seconds = (dates: Date[]) => dates.map((date) => date.getUTCSeconds() + 60 * date.getUTCMinutes());

describe('Scheduler: lifecycle', () => {
  it('lists jobs soonest first with their next fire times, before and after start', async () => {
    const { time, scheduler } = createHarness();
    scheduler.add({ id: 'hourly', trigger: { cron: '@hourly' }, run: () => {} });
    scheduler.add({ id: 'fast', trigger: { interval: 5 }, run: () => {} });
    scheduler.add({
      id: 'worker',
      trigger: { daemon: true },
      run: ({ signal }) => new Promise((r) => signal.addEventListener('abort', r)),
    });
    expect(scheduler.list().map((job) => [job.id, job.kind, job.nextRunAt?.toISOString() ?? null])).toEqual([
      ['fast', 'interval', '2025-01-01T00:00:05.000Z'],
      ['hourly', 'cron', '2025-01-01T01:00:00.000Z'],
      ['worker', 'daemon', null],
    ]);
    await time.advance(2000);
    scheduler.start();
    expect(scheduler.get('fast')!.nextRunAt!.toISOString()).toBe('2025-01-01T00:00:07.000Z');
    expect(scheduler.get('worker')!.running).toBe(1);
    expect(scheduler.get('nope')).toBeUndefined();
    expect(scheduler.get('hourly')!.options).toEqual({
      coalesce: 'latest',
      maxInstances: 1,
      misfireGraceTime: 1,
      jitter: 0,
      timezone: 'UTC',
      onError: 'stop',
      startDate: null,
      endDate: null,
    });
    scheduler.start();
    expect(scheduler.get('worker')!.running).toBe(1);
    await scheduler.shutdown();
  });

  it('pauses, and resumes from now by default (fires during the pause are not run)', async () => {
    const { time, scheduler, of } = createHarness();
    const runs: Date[] = [];
    scheduler.add({
      id: 'tick',
      trigger: { cron: '* * * * * *' },
      run: ({ scheduledAt }) => void runs.push(scheduledAt),
    });
    scheduler.start();
    await time.advance(2500);
    scheduler.pause('tick');
    expect(scheduler.get('tick')!.paused).toBe(true);
    expect(scheduler.get('tick')!.nextRunAt).toBeNull();
    await time.advance(5000);
    scheduler.resume('tick');
    await time.advance(2000);
    expect(seconds(runs)).toEqual([1, 2, 8, 9]);
    expect(of('missed')).toEqual([]);
    expect(of('coalesced')).toEqual([]);
  });

  it('resumes from a given time, running the due fires by the coalesce policy', async () => {
    const { time, scheduler, of } = createHarness();
    const runs: Date[] = [];
    scheduler.add({
      id: 'tick',
      trigger: { cron: '* * * * * *' },
      misfireGraceTime: null,
      run: ({ scheduledAt }) => void runs.push(scheduledAt),
    });
    scheduler.start();
    await time.advance(2500);
    scheduler.pause('tick');
    await time.advance(5000);
    scheduler.resume('tick', { from: '2025-01-01T00:00:03Z' });
    await time.advance(1000);
    expect(seconds(runs)).toEqual([1, 2, 7, 8]);
    expect(of('coalesced').map((event) => seconds([event.firstScheduledAt, event.lastScheduledAt]))).toEqual([
      [3, 7],
    ]);
  });

  it('removes a date job resumed after its date, as APScheduler does', async () => {
    const { time, scheduler, of } = createHarness();
    scheduler.add({ id: 'once', trigger: { date: '2025-01-01T00:00:05Z' }, run: () => {} });
    scheduler.start();
    scheduler.pause('once');
    await time.advance(10_000);
    scheduler.resume('once');
    expect(scheduler.get('once')).toBeUndefined();
    expect(of('removed')).toEqual([{ jobId: 'once', reason: 'finished' }]);
  });

  it('removes a job: no more fires; a running daemon is aborted', async () => {
    const { time, scheduler, of } = createHarness();
    let ticks = 0;
    let daemonAborted = false;
    scheduler.add({ id: 'tick', trigger: { interval: 1 }, run: () => void ticks++ });
    scheduler.add({
      id: 'worker',
      trigger: { daemon: true },
      run: ({ signal }) =>
        new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => {
            daemonAborted = true;
            resolve();
          }),
        ),
    });
    scheduler.start();
    await time.advance(2000);
    scheduler.remove('tick');
    scheduler.remove('worker');
    await time.advance(5000);
    expect(ticks).toBe(2);
    expect(daemonAborted).toBe(true);
    expect(of('removed')).toEqual([
      { jobId: 'tick', reason: 'removed' },
      { jobId: 'worker', reason: 'removed' },
    ]);
    expect(of('error')).toEqual([]);
    expect(scheduler.list()).toEqual([]);
  });

  it('reschedules a job to another trigger, from now', async () => {
    const { time, scheduler } = createHarness();
    const runs: Date[] = [];
    scheduler.add({
      id: 'job',
      trigger: { cron: '0 * * * *' },
      run: ({ scheduledAt }) => void runs.push(scheduledAt),
    });
    scheduler.start();
    await time.advance(1000);
    const info = scheduler.reschedule('job', { interval: 2 });
    expect(info.kind).toBe('interval');
    expect(info.nextRunAt!.toISOString()).toBe('2025-01-01T00:00:03.000Z');
    await time.advance(5000);
    expect(iso(runs)).toEqual(['2025-01-01T00:00:03.000Z', '2025-01-01T00:00:05.000Z']);
    scheduler.reschedule('job', { cron: '*/10 * * * * *' });
    await time.advance(10_000);
    expect(iso(runs).at(-1)).toBe('2025-01-01T00:00:10.000Z');
  });

  it('runs a job now without moving its schedule, and respects maxInstances', async () => {
    const { time, scheduler, of } = createHarness();
    const runs: string[] = [];
    let release: (() => void) | undefined;
    scheduler.add({
      id: 'job',
      trigger: { cron: '@hourly' },
      run: ({ scheduledAt }) =>
        new Promise<void>((resolve) => {
          runs.push(scheduledAt.toISOString());
          release = resolve;
        }),
    });
    scheduler.start();
    await time.advance(1500);
    const first = scheduler.runNow('job');
    expect(await scheduler.runNow('job')).toEqual({ status: 'skipped', reason: 'max-instances' });
    expect(of('skipped').length).toBe(1);
    release!();
    expect(await first).toEqual({ status: 'executed' });
    expect(runs).toEqual(['2025-01-01T00:00:01.500Z']);
    expect(scheduler.get('job')!.nextRunAt!.toISOString()).toBe('2025-01-01T01:00:00.000Z');
  });

  it('upserts: adds a new job, or replaces one in place keeping its running count', async () => {
    const { time, scheduler, of } = createHarness();
    const calls: string[] = [];
    let release: (() => void) | undefined;
    scheduler.upsert({
      id: 'job',
      trigger: { interval: 1 },
      run: () =>
        new Promise<void>((resolve) => {
          calls.push('v1');
          release = resolve;
        }),
    });
    scheduler.start();
    await time.advance(1000);
    scheduler.upsert({ id: 'job', trigger: { interval: 1 }, run: () => void calls.push('v2') });
    await time.advance(1000);
    expect(calls).toEqual(['v1']);
    expect(of('skipped').length).toBe(1);
    release!();
    await time.advance(1000);
    expect(calls).toEqual(['v1', 'v2']);
    expect(of('added')).toEqual([
      { jobId: 'job', replaced: false },
      { jobId: 'job', replaced: true },
    ]);
    expect(() => scheduler.add({ id: 'job', trigger: { interval: 1 }, run: () => {} })).toThrow(
      'A job with id "job" already exists: use upsert() to replace it, or remove() it first.',
    );
  });

  it('shuts down: waits for running jobs, or aborts them after the timeout', async () => {
    const { time, scheduler, of } = createHarness();
    let aborted = false;
    scheduler.add({
      id: 'stubborn',
      trigger: { interval: 1 },
      run: ({ signal }) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          });
        }),
    });
    scheduler.start();
    await time.advance(1000);
    const stopping = scheduler.shutdown({ timeoutMs: 3000 });
    expect(scheduler.running).toBe(false);
    await time.advance(2999);
    expect(aborted).toBe(false);
    await time.advance(1);
    expect(await stopping).toEqual({ timedOut: true, pending: 0 });
    expect(aborted).toBe(true);
    expect(of('error')).toEqual([]);
    expect(of('stopped')).toEqual([{ reason: 'shutdown' }]);
    expect(await scheduler.shutdown()).toEqual({ timedOut: false, pending: 0 });
    expect(of('stopped').length).toBe(1);
    expect(() => scheduler.start()).toThrow(SchedulerError);
    expect(() => scheduler.add({ id: 'late', trigger: { interval: 1 }, run: () => {} })).toThrow(
      'The scheduler was shut down; create a new one.',
    );
  });

  it('shuts down without waiting when asked, leaving runs to finish on their own', async () => {
    const { time, scheduler } = createHarness();
    let finished = false;
    scheduler.add({
      id: 'slow',
      trigger: { interval: 1 },
      run: () =>
        new Promise<void>((resolve) =>
          time.setTimeout(() => {
            finished = true;
            resolve();
          }, 5000),
        ),
    });
    scheduler.start();
    await time.advance(1000);
    expect(await scheduler.shutdown({ wait: false })).toEqual({ timedOut: false, pending: 1 });
    await time.advance(5000);
    expect(finished).toBe(true);
    expect(scheduler.get('slow')!.running).toBe(0);
  });

  it('stops listening with the function on() returns, and with off()', async () => {
    const { time, scheduler } = createHarness();
    const seen: string[] = [];
    const stop = scheduler.on('executed', ({ jobId }) => void seen.push(`a:${jobId}`));
    const listener = ({ jobId }: { jobId: string }) => void seen.push(`b:${jobId}`);
    scheduler.on('executed', listener);
    scheduler.add({ id: 'tick', trigger: { interval: 1 }, run: () => {} });
    scheduler.start();
    await time.advance(1000);
    stop();
    await time.advance(1000);
    scheduler.off('executed', listener);
    await time.advance(1000);
    expect(seen).toEqual(['a:tick', 'b:tick', 'b:tick']);
  });
});
