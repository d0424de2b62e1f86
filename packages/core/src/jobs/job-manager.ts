import {
  type JobContext,
  type JobInfo,
  Scheduler,
  SchedulerError,
  type SchedulerEventName,
  type SchedulerEvents,
  type SchedulerOptions,
  type Trigger,
} from '@hookdex/scheduler';
import {
  type ClusterJobContext,
  ClusterScheduler,
  type ClusterSchedulerEvents,
  fireKeyOf,
} from '@hookdex/scheduler/cluster';
import { inject, injectable } from 'tsyringe';
import type { DataSource } from 'typeorm';
import type { HookdexConfig, JobConfig } from '../config/config-types.js';
import { CONFIG, DATA_SOURCE, LOGGER, SCHEDULER_OPTIONS } from '../di/tokens.js';
import { ConfigurationError, JobFailedError } from '../errors/errors.js';
import { HookdexError } from '../errors/hookdex-error.js';
import { HookManager } from '../hooks/hook-manager.js';
import { Shutdown } from '../lifecycle/shutdown.js';
import type { Logger } from '../logging/logger.js';
import { databaseJobStore } from './database-job-store.js';

/** The events both schedulers emit, as this class listens to them. */
interface JobEventSource {
  on<E extends SchedulerEventName>(event: E, listener: (event: SchedulerEvents[E]) => void): unknown;
}

/**
 * Turns `jobs:` into `@hookdex/scheduler` jobs that fire their hook through `fireHook` (so
 * arguments are checked and atomic hooks get their transaction), with the defaults of
 * `advanced.scheduler`. A failing job stops hookdex unless its `on_error` is `log`. With
 * `apscheduler.jobstores.default.type: database` the jobs live in PostgreSQL (`ClusterScheduler`):
 * every process on the same database shares them and each fire runs once across all of them.
 */
@injectable()
export class JobManager {
  private local: Scheduler | undefined;
  private shared: ClusterScheduler | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    @inject(CONFIG) private readonly config: HookdexConfig,
    @inject(HookManager) private readonly hooks: HookManager,
    @inject(Shutdown) private readonly shutdown: Shutdown,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(SCHEDULER_OPTIONS) private readonly schedulerOptions: Pick<SchedulerOptions, 'clock' | 'timers'>,
    @inject(DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  /** True once the jobs have started (and until `stop`). */
  get started(): boolean {
    return (this.local ?? this.shared)?.running ?? false;
  }

  /**
   * Every configured job with its next fire time: from the running scheduler, or as it would be now.
   * With the database store, as the store has it (the first start of any process writes the jobs).
   */
  async list(): Promise<JobInfo[]> {
    if (!this.isShared) return (this.local ?? this.buildLocal()).list();
    const configured = new Set(Object.keys(this.config.jobs));
    const jobs = await (this.shared ?? this.buildShared()).list();
    return jobs.filter((job) => configured.has(job.id));
  }

  /**
   * Starts the jobs; calling it again returns the same promise. The memory store starts at once;
   * the database store first writes every configured job to the store (`upsert`: the same definition
   * on every replica changes nothing, a changed one replaces the schedule from now).
   */
  start(): Promise<void> {
    this.starting ??= this.isShared ? this.startShared() : this.startLocal();
    return this.starting;
  }

  /** Stops firing, aborts daemons, and waits for running jobs up to `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.starting?.catch(() => {});
    this.starting = undefined;
    const scheduler = this.local ?? this.shared;
    this.local = undefined;
    this.shared = undefined;
    if (scheduler === undefined) return;
    const result = await scheduler.shutdown({ wait: true, timeoutMs });
    if (result.timedOut) this.logger.warn('Stopped jobs with runs still going', { pending: result.pending });
    else this.logger.info('Stopped jobs');
  }

  private get isShared(): boolean {
    return this.config.advanced.scheduler.jobStore === 'database';
  }

  private startLocal(): Promise<void> {
    const scheduler = this.buildLocal();
    this.local = scheduler;
    scheduler.start();
    this.logger.info('Started jobs', { jobs: Object.keys(this.config.jobs).length });
    return Promise.resolve();
  }

  private async startShared(): Promise<void> {
    const scheduler = this.buildShared();
    this.shared = scheduler;
    this.listen(scheduler);
    const expired =
      (message: string) =>
      ({ jobId, scheduledAt, owner, attempt }: ClusterSchedulerEvents['abandoned']) =>
        this.logger.warn(message, { job: jobId, scheduled_at: scheduledAt, owner, attempt });
    scheduler.on('abandoned', expired('Abandoned job run of an unresponsive process'));
    scheduler.on('retried', expired('Requeued job run of an unresponsive process'));
    scheduler.on('lost', ({ jobId, scheduledAt, attempt, reason }) =>
      this.logger.warn('Lost job run lease', { job: jobId, scheduled_at: scheduledAt, attempt, reason }),
    );
    scheduler.on('storeError', ({ operation, error }) =>
      this.logger.warn('Job store operation failed; retrying', { operation, error }),
    );
    const configured = Object.values(this.config.jobs);
    for (const job of configured) {
      await scheduler.upsert({ id: job.name, trigger: triggerOf(job), run: this.runOf(job) });
    }
    await scheduler.start();
    this.logger.info('Started jobs', {
      jobs: configured.length,
      store: 'database',
      node_id: scheduler.nodeId,
    });
    // NOTE: jobs gone from this configuration stay in the store: another replica may still run an
    // older configuration that has them. A stored job no process registers never fires.
    const names = new Set(Object.keys(this.config.jobs));
    const others = (await scheduler.list()).map((job) => job.id).filter((id) => !names.has(id));
    if (others.length > 0)
      this.logger.info('Kept stored jobs missing from the configuration', { jobs: others });
  }

  private buildLocal(): Scheduler {
    const scheduler = new Scheduler({
      ...this.schedulerOptions,
      timezone: this.config.advanced.scheduler.timezone,
      jobDefaults: this.jobDefaults(),
    });
    for (const job of Object.values(this.config.jobs)) {
      scheduler.add({ id: job.name, trigger: triggerOf(job), run: this.runOf(job) });
    }
    this.listen(scheduler);
    return scheduler;
  }

  private buildShared(): ClusterScheduler {
    const database = this.config.database;
    if (database.kind !== 'postgres') {
      throw new ConfigurationError({
        file: this.config.files[0],
        path: 'advanced.scheduler.apscheduler.jobstores.default.type',
        expected: 'a PostgreSQL database: the database store needs PostgreSQL',
        found: '`database` with a SQLite database',
        hint: 'set `database.kind: postgres`, or use `apscheduler.jobstores.default.type: memory`',
      });
    }
    return new ClusterScheduler({
      ...this.schedulerOptions,
      store: databaseJobStore(this.dataSource, database.schema),
      timezone: this.config.advanced.scheduler.timezone,
      // NOTE: a run whose process died is abandoned (at most once per fire), as a crash loses the
      // run with the memory store; an atomic hook's work was rolled back with its connection.
      jobDefaults: { ...this.jobDefaults(), onCrash: 'abandon' },
    });
  }

  private jobDefaults() {
    const defaults = this.config.advanced.scheduler;
    return {
      coalesce: defaults.coalesce,
      maxInstances: defaults.maxInstances,
      misfireGraceTime: defaults.misfireGraceTime,
      // NOTE: failures are decided here (on_error), not by the scheduler.
      onError: 'continue' as const,
    };
  }

  private runOf(job: JobConfig): (context: JobContext & Partial<ClusterJobContext>) => Promise<void> {
    return ({ signal, jobId, scheduledAt, fireKey, attempt }) =>
      this.hooks.fire(
        job.hook,
        { ...job.args },
        {
          wait: true,
          signal,
          job: {
            id: jobId,
            scheduledAt,
            // NOTE: the in-process scheduler has no fire key of its own; it is the same shape.
            fireKey: fireKey ?? fireKeyOf(jobId, scheduledAt.getTime()),
            attempt: attempt ?? 1,
          },
        },
      );
  }

  private listen(scheduler: JobEventSource): void {
    scheduler.on('error', ({ jobId, error }) => this.onError(jobId, runError(error)));
    scheduler.on('missed', ({ jobId, scheduledAt, lateMs }) =>
      this.logger.warn('Missed job fire', {
        job: jobId,
        scheduled_at: scheduledAt,
        late_ms: Math.round(lateMs),
      }),
    );
    scheduler.on('skipped', ({ jobId, scheduledAt, running }) =>
      this.logger.warn('Skipped job fire at max instances', {
        job: jobId,
        scheduled_at: scheduledAt,
        running,
      }),
    );
    scheduler.on('executed', ({ jobId, durationMs }) =>
      this.logger.debug('Ran job', { job: jobId, duration_ms: Math.round(durationMs) }),
    );
  }

  private onError(jobId: string, error: Error): void {
    const job = this.config.jobs[jobId];
    // A job of another replica's configuration, reported by this process's reaper: not ours to stop on.
    if (job === undefined) {
      this.logger.error('Job failed', { job: jobId, error });
      return;
    }
    // A reindex or restart request is the runtime's to act on, whatever the job's policy.
    if (HookdexError.is(error, 'RESTART_REQUIRED') || HookdexError.is(error, 'REINDEXING_REQUIRED')) {
      this.shutdown.fail(error);
      return;
    }
    if (job.onError === 'log') {
      this.logger.error('Job failed', { job: job.name, hook: job.hook, error });
      return;
    }
    this.logger.error('Job failed; stopping', { job: job.name, hook: job.hook, error });
    this.shutdown.fail(new JobFailedError(job.name, error));
  }
}

/** What the run threw: the database store's scheduler wraps it in a `JOB_FAILED` error, the memory one does not. */
function runError(error: Error): Error {
  if (SchedulerError.is(error) && error.code === 'JOB_FAILED' && error.cause instanceof Error)
    return error.cause;
  return error;
}

function triggerOf(job: JobConfig): Trigger {
  const trigger = job.trigger;
  if ('crontab' in trigger) return { cron: trigger.crontab };
  if ('interval' in trigger) return { interval: trigger.interval };
  return { daemon: true };
}
