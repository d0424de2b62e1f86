import { Decimal } from 'decimal.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CounterEntity,
  counters,
  createApp,
  createProject,
  DATABASES,
  FakeTime,
  type TestProject,
} from '../_test/project.js';
import { CallbackError, JobFailedError } from '../errors/errors.js';

describe.each(DATABASES)('jobs on $name', ({ kind }) => {
  let project: TestProject;
  beforeEach(() => {
    project = createProject(kind);
  });
  afterEach(async () => {
    await project.cleanup();
  });

  it('fires each job hook with its arguments by crontab and interval, checked and atomic', async () => {
    const calls: string[] = [];
    const fires: unknown[] = [];
    const time = new FakeTime({ now: '2024-12-31T23:57:30Z' });
    const config = project.config({
      hooks: {
        calculate_stats: {
          atomic: true,
          args: { major: 'bool', depth: 'int', fee: 'Optional[Decimal]' },
          run: () => {},
        },
      },
      jobs: {
        midnight_stats: {
          hook: 'calculate_stats',
          trigger: { crontab: '0 0 * * *' },
          args: { major: true, depth: 10 },
        },
        minute_stats: {
          hook: 'calculate_stats',
          trigger: { interval: 60 },
          args: { major: false, depth: 1, fee: new Decimal('0.5') },
        },
      },
    });
    const { app } = createApp(config, {
      time,
      hooks: {
        calculate_stats: async (
          ctx,
          { major, depth, fee }: { major: boolean; depth: number; fee?: Decimal },
        ) => {
          calls.push(
            `${new Date(time.now()).toISOString().slice(11, 16)} major=${major} depth=${depth} fee=${fee ?? '-'}`,
          );
          if (major) fires.push(ctx.job);
          await ctx.db.getRepository(CounterEntity).save({ key: `run-${calls.length}`, value: depth });
        },
      },
    });
    await app.start();
    // Step through six minutes, letting each run's database work finish (it is real I/O).
    for (let step = 0; step < 12; step++) {
      await time.advance(30_000);
      await vi.waitFor(async () =>
        expect((await app.jobs.list()).every((job) => job.running === 0)).toBe(true),
      );
    }
    expect(calls).toEqual([
      '23:58 major=false depth=1 fee=0.5',
      '23:59 major=false depth=1 fee=0.5',
      '00:00 major=true depth=10 fee=-',
      '00:00 major=false depth=1 fee=0.5',
      '00:01 major=false depth=1 fee=0.5',
      '00:02 major=false depth=1 fee=0.5',
      '00:03 major=false depth=1 fee=0.5',
    ]);
    expect((await counters(app)).length).toBe(7);
    expect(fires).toEqual([
      {
        id: 'midnight_stats',
        scheduledAt: new Date('2025-01-01T00:00:00Z'),
        fireKey: 'midnight_stats@2025-01-01T00:00:00.000Z',
        attempt: 1,
      },
    ]);
    await app.stop();
  });

  it('stops hookdex with a clear error when a job fails (on_error: stop, the default)', async () => {
    const time = new FakeTime();
    const config = project.config({
      hooks: { flaky: { run: () => {} } },
      jobs: { flaky_job: { hook: 'flaky', trigger: { interval: 1 } } },
    });
    const { app } = createApp(config, {
      time,
      hooks: {
        flaky: () => {
          throw new Error('disk full');
        },
      },
    });
    await app.start();
    const stopped = app.wait().catch((caught: unknown) => caught);
    await time.advance(1000);
    const error = await stopped;
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as Error).message).toBe('Job `flaky_job` failed: The hook `flaky` failed: disk full');
    expect((error as Error).cause).toBeInstanceOf(CallbackError);
    expect(app.dataSource.isInitialized).toBe(false);
  });

  it('logs a failing job and keeps its schedule with on_error: log', async () => {
    const time = new FakeTime();
    let runs = 0;
    const config = project.config({
      hooks: { flaky: { run: () => {} } },
      jobs: { flaky_job: { hook: 'flaky', trigger: { interval: 1 }, onError: 'log' } },
    });
    const { app } = createApp(config, {
      time,
      hooks: {
        flaky: () => {
          runs++;
          throw new Error('again');
        },
      },
    });
    await app.start();
    await time.advance(3000);
    expect(runs).toBe(3);
    expect(app.error).toBeUndefined();
    await app.stop();
  });

  it('holds jobs until markSynchronized with postpone_jobs', async () => {
    const time = new FakeTime();
    let runs = 0;
    const config = project.config({
      hooks: { tick: { run: () => {} } },
      jobs: { ticker: { hook: 'tick', trigger: { interval: 1 } } },
      postponeJobs: true,
    });
    const { app } = createApp(config, { time, hooks: { tick: () => void runs++ } });
    await app.start();
    await time.advance(5000);
    expect(runs).toBe(0);
    expect(app.jobs.started).toBe(false);
    app.markSynchronized();
    app.markSynchronized();
    await time.advance(2000);
    expect(runs).toBe(2);
    await app.stop();
  });

  it('gives a daemon job an AbortSignal and stops it cleanly on shutdown', async () => {
    const time = new FakeTime();
    const log: string[] = [];
    const config = project.config({
      hooks: { status_reporter: { run: () => {} } },
      jobs: { reporter: { hook: 'status_reporter', trigger: { daemon: true } } },
    });
    const { app } = createApp(config, {
      time,
      hooks: {
        status_reporter: (ctx) =>
          new Promise<void>((resolve) => {
            log.push('started');
            ctx.signal.addEventListener('abort', () => {
              log.push('aborted');
              resolve();
            });
          }),
      },
    });
    await app.start();
    expect(log).toEqual(['started']);
    await app.stop();
    expect(log).toEqual(['started', 'aborted']);
    expect(app.error).toBeUndefined();
  });

  it('stops hookdex when a daemon returns, as DipDup ("daemon jobs are intended to run forever")', async () => {
    const config = project.config({
      hooks: { quitter: { run: () => {} } },
      jobs: { quits: { hook: 'quitter', trigger: { daemon: true } } },
    });
    const { app } = createApp(config, { time: new FakeTime(), hooks: { quitter: () => {} } });
    const stopped = app.wait().catch((caught: unknown) => caught);
    await app.start();
    const error = await stopped;
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as Error).message).toContain('daemon jobs are intended to run forever');
  });

  it('reports a failing deferred hook like a failing job: hookdex stops', async () => {
    const config = project.config({ hooks: { background: { run: () => {} }, starter: { run: () => {} } } });
    const { app } = createApp(config, {
      hooks: {
        background: () => {
          throw new Error('lost in the background');
        },
        starter: (ctx) => ctx.fireHook('background', {}, { wait: false }),
      },
    });
    await app.start();
    const stopped = app.wait().catch((caught: unknown) => caught);
    await app.fireHook('starter');
    const error = await stopped;
    expect(error).toBeInstanceOf(CallbackError);
    expect((error as Error).message).toBe('The hook `background` failed: lost in the background');
  });
});
