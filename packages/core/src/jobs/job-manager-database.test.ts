import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CounterEntity, createApp, createProject, type TestProject } from '../_test/project.js';
import type { HookdexConfig } from '../config/config-types.js';
import { CallbackError, JobFailedError } from '../errors/errors.js';
import type { HookCallback } from '../hooks/hook-registry.js';
import type { HookdexApp } from '../lifecycle/hookdex-app.js';

// NOTE: these run in real time: the store decides due fires by the database's clock, which a fake
// clock cannot move. Every wait is on a condition with a deadline.
const DEADLINE = { timeout: 15_000, interval: 50 };

interface StoredRun {
  state: string;
  owner: string | null;
  scheduled_ms: number;
  from_ms: number | null;
  to_ms: number | null;
}

describe.skipIf(!process.env.DATABASE_URL)(
  'jobs on the database store (PostgreSQL)',
  { timeout: 30_000 },
  () => {
    let project: TestProject;
    let admin: DataSource;
    const apps: HookdexApp[] = [];

    beforeEach(async () => {
      project = createProject('postgres');
      admin = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
      await admin.initialize();
    });
    afterEach(async () => {
      for (const app of apps.splice(0)) await app.stop();
      await admin.destroy();
      await project.cleanup();
    });

    /** The project's configuration with `apscheduler.jobstores.default.type: database`. */
    const shared = (config: HookdexConfig): HookdexConfig => ({
      ...config,
      advanced: { ...config.advanced, scheduler: { ...config.advanced.scheduler, jobStore: 'database' } },
    });
    /** A replica: a hookdex instance of its own container and DataSource on the project's database. */
    const replica = (config: HookdexConfig, hooks: Record<string, HookCallback>): HookdexApp => {
      const { app } = createApp(config, { hooks });
      apps.push(app);
      return app;
    };
    /** A table of the project's schema, qualified for the admin connection. */
    const table = (name: string) => `"${(project.database as { schema: string }).schema}"."${name}"`;
    const runs = async (job: string): Promise<StoredRun[]> =>
      (
        await admin.query(
          `SELECT state, owner, (extract(epoch FROM scheduled_at) * 1000)::float8 AS scheduled_ms,
                (extract(epoch FROM range_from) * 1000)::float8 AS from_ms,
                (extract(epoch FROM range_to) * 1000)::float8 AS to_ms
           FROM ${table('hookdex_runs')} WHERE schedule_id = $1 ORDER BY scheduled_at`,
          [job],
        )
      ).map((row: StoredRun) => ({
        ...row,
        scheduled_ms: Number(row.scheduled_ms),
        from_ms: row.from_ms === null ? null : Number(row.from_ms),
        to_ms: row.to_ms === null ? null : Number(row.to_ms),
      }));
    const counted = async (): Promise<number> =>
      Number((await admin.query(`SELECT count(*) AS n FROM ${table('counter')}`))[0].n);

    it('runs each fire of a per-second crontab once across two replicas, which start and stop cleanly', async () => {
      const config = shared(
        project.config({
          hooks: { tick: { run: () => {} } },
          jobs: { every_second: { hook: 'tick', trigger: { crontab: '* * * * * *' } } },
        }),
      );
      const executions: string[] = [];
      const tick =
        (name: string): HookCallback =>
        async (ctx) => {
          executions.push(name);
          // Keyed on the fire key: a fire run twice would break the primary key and fail the job.
          await ctx.db
            .getRepository(CounterEntity)
            .insert({ key: ctx.job?.fireKey ?? `${name}:${randomUUID()}`, value: 1 });
        };
      const first = replica(config, { tick: tick('first') });
      const second = replica(config, { tick: tick('second') });
      await first.start();
      await second.start();
      const outcomes = [first.wait(), second.wait()];
      expect(first.jobs.started && second.jobs.started).toBe(true);
      expect((await first.jobs.list()).map((job) => job.id)).toEqual(['every_second']);

      await vi.waitFor(async () => expect(await counted()).toBeGreaterThanOrEqual(4), DEADLINE);
      await first.stop();
      await second.stop();
      await expect(Promise.all(outcomes)).resolves.toEqual([undefined, undefined]);
      expect(first.error ?? second.error).toBeUndefined();

      const stored = await runs('every_second');
      const succeeded = stored.filter((run) => run.state === 'succeeded');
      // One execution per succeeded run, one row per fire key: no fire ran twice, on either replica.
      expect(executions.length).toBe(succeeded.length);
      expect(await counted()).toBe(succeeded.length);
      const keys = (await admin.query(`SELECT key FROM ${table('counter')} ORDER BY key`)) as Array<{
        key: string;
      }>;
      expect(keys.map((row) => row.key)).toEqual(
        succeeded.map((run) => `every_second@${new Date(run.scheduled_ms).toISOString()}`).sort(),
      );
      expect(succeeded.length).toBeGreaterThanOrEqual(4);
      expect(new Set(stored.map((run) => run.scheduled_ms)).size).toBe(stored.length);
      expect(stored.filter((run) => !['succeeded', 'missed', 'pending'].includes(run.state))).toEqual([]);
      // Every second between the first and the last fire is accounted for: run, or recorded as missed.
      const firstFire = stored[0]!.scheduled_ms;
      const lastFire = stored.at(-1)!.scheduled_ms;
      for (let fire = firstFire; fire <= lastFire; fire += 1000) {
        const covered = stored.some(
          (run) => (run.from_ms ?? run.scheduled_ms) <= fire && fire <= (run.to_ms ?? run.scheduled_ms),
        );
        expect(covered, new Date(fire).toISOString()).toBe(true);
      }
    });

    it('keeps a stored job of the same definition, replaces a changed one, and leaves removed jobs stored', async () => {
      const hooks = { tick: { run: () => {} } };
      const callbacks = { tick: () => {} };
      const schedules = async () =>
        (await admin.query(
          `SELECT id, trigger, hash, updated_at FROM ${table('hookdex_schedules')} ORDER BY id`,
        )) as Array<{
          id: string;
          trigger: unknown;
          hash: string;
          updated_at: Date;
        }>;
      const before = shared(
        project.config({
          hooks,
          jobs: {
            hourly: { hook: 'tick', trigger: { crontab: '0 * * * *' } },
            nightly: { hook: 'tick', trigger: { crontab: '0 3 * * *' } },
          },
        }),
      );
      const old = replica(before, callbacks);
      await old.start();
      const written = await schedules();
      expect(written.map((row) => [row.id, row.trigger])).toEqual([
        ['hourly', { cron: '0 * * * *' }],
        ['nightly', { cron: '0 3 * * *' }],
      ]);

      const same = replica(before, callbacks);
      await same.start();
      expect(await schedules()).toEqual(written);
      await same.stop();

      const after = shared(
        project.config({ hooks, jobs: { hourly: { hook: 'tick', trigger: { crontab: '30 * * * *' } } } }),
      );
      const updated = replica(after, callbacks);
      await updated.start();
      const rewritten = await schedules();
      expect(rewritten.map((row) => [row.id, row.trigger])).toEqual([
        ['hourly', { cron: '30 * * * *' }],
        ['nightly', { cron: '0 3 * * *' }],
      ]);
      expect(rewritten[0]!.hash).not.toBe(written[0]!.hash);
      expect(rewritten[1]).toEqual(written[1]);
      const listed = await updated.jobs.list();
      expect(listed.map((job) => [job.id, job.nextRunAt?.getUTCMinutes()])).toEqual([['hourly', 30]]);
      await updated.stop();
      await old.stop();
      expect(old.error ?? updated.error).toBeUndefined();
    });

    it('stops the replica whose job failed with the memory store’s JobFailedError (on_error: stop)', async () => {
      const config = shared(
        project.config({
          hooks: { flaky: { run: () => {} } },
          jobs: { flaky_job: { hook: 'flaky', trigger: { interval: 1 } } },
        }),
      );
      const app = replica(config, {
        flaky: () => {
          throw new Error('disk full');
        },
      });
      await app.start();
      const error = await app.wait().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(JobFailedError);
      expect((error as Error).message).toBe('Job `flaky_job` failed: The hook `flaky` failed: disk full');
      expect((error as Error).cause).toBeInstanceOf(CallbackError);
      expect(app.dataSource.isInitialized).toBe(false);
      expect((await runs('flaky_job')).map((run) => run.state)).toEqual(['failed']);
    });

    it('runs a daemon on one replica only and hands it to the other when its owner stops', async () => {
      const config = shared(
        project.config({
          hooks: { status_reporter: { run: () => {} } },
          jobs: { reporter: { hook: 'status_reporter', trigger: { daemon: true } } },
        }),
      );
      const log: string[] = [];
      const reporter =
        (name: string): HookCallback =>
        (ctx) =>
          new Promise<void>((resolve) => {
            log.push(`${name} started`);
            ctx.signal.addEventListener('abort', () => {
              log.push(`${name} aborted`);
              resolve();
            });
          });
      const replicas: Record<string, HookdexApp> = {
        first: replica(config, { status_reporter: reporter('first') }),
        second: replica(config, { status_reporter: reporter('second') }),
      };
      await replicas.first!.start();
      await replicas.second!.start();
      await vi.waitFor(() => expect(log).toHaveLength(1), DEADLINE);
      const owner = log[0]!.split(' ')[0]!;
      const other = owner === 'first' ? 'second' : 'first';
      // One run row stands for the daemon, leased by its owner; the other replica only claims it once released.
      expect(await runs('reporter')).toMatchObject([{ state: 'running', owner: expect.any(String) }]);
      await replicas[owner]!.stop();
      await vi.waitFor(
        () => expect(log).toEqual([`${owner} started`, `${owner} aborted`, `${other} started`]),
        DEADLINE,
      );
      await replicas[other]!.stop();
      expect(log.at(-1)).toBe(`${other} aborted`);
      expect(replicas.first!.error ?? replicas.second!.error).toBeUndefined();
    });
  },
);

describe('jobs on the database store (SQLite)', () => {
  it('refuses to start them on SQLite, also for a configuration built in code', async () => {
    const project = createProject('sqlite');
    try {
      const config = project.config({
        hooks: { tick: { run: () => {} } },
        jobs: { ticker: { hook: 'tick', trigger: { interval: 1 } } },
      });
      const { app } = createApp(
        {
          ...config,
          advanced: { ...config.advanced, scheduler: { ...config.advanced.scheduler, jobStore: 'database' } },
        },
        { hooks: { tick: () => {} } },
      );
      const expected = {
        name: 'ConfigurationError',
        path: 'advanced.scheduler.apscheduler.jobstores.default.type',
        expected: 'a PostgreSQL database: the database store needs PostgreSQL',
      };
      const stopped = app.wait().catch((caught: unknown) => caught);
      await expect(app.start()).rejects.toMatchObject(expected);
      expect(await stopped).toMatchObject(expected);
      expect(app.dataSource.isInitialized).toBe(false);
    } finally {
      await project.cleanup();
    }
  });
});
