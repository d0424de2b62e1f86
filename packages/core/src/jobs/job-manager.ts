import { type JobInfo, Scheduler, type SchedulerOptions, type Trigger } from '@hookdex/scheduler';
import { inject, injectable } from 'tsyringe';
import type { HookdexConfig, JobConfig } from '../config/config-types.js';
import { CONFIG, LOGGER, SCHEDULER_OPTIONS } from '../di/tokens.js';
import { JobFailedError } from '../errors/errors.js';
import { HookdexError } from '../errors/hookdex-error.js';
import { HookManager } from '../hooks/hook-manager.js';
import { Shutdown } from '../lifecycle/shutdown.js';
import type { Logger } from '../logging/logger.js';

/**
 * Turns `jobs:` into `@hookdex/scheduler` jobs that fire their hook through `fireHook` (so
 * arguments are checked and atomic hooks get their transaction), with the defaults of
 * `advanced.scheduler`. A failing job stops hookdex unless its `on_error` is `log`.
 */
@injectable()
export class JobManager {
  private scheduler: Scheduler | undefined;

  constructor(
    @inject(CONFIG) private readonly config: HookdexConfig,
    @inject(HookManager) private readonly hooks: HookManager,
    @inject(Shutdown) private readonly shutdown: Shutdown,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(SCHEDULER_OPTIONS) private readonly schedulerOptions: Pick<SchedulerOptions, 'clock' | 'timers'>,
  ) {}

  /** True once `start` has run (and until `stop`). */
  get started(): boolean {
    return this.scheduler?.running ?? false;
  }

  /** Every job with its next fire time (from the running scheduler, or as it would be now). */
  list(): JobInfo[] {
    return (this.scheduler ?? this.build()).list();
  }

  /** Starts the jobs; calling it again does nothing. */
  start(): void {
    if (this.scheduler !== undefined) return;
    const scheduler = this.build();
    this.scheduler = scheduler;
    scheduler.start();
    this.logger.info('Started jobs', { jobs: Object.keys(this.config.jobs).length });
  }

  /** Stops firing, aborts daemons, and waits for running jobs up to `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const scheduler = this.scheduler;
    this.scheduler = undefined;
    if (scheduler === undefined) return;
    const result = await scheduler.shutdown({ wait: true, timeoutMs });
    if (result.timedOut) this.logger.warn('Stopped jobs with runs still going', { pending: result.pending });
    else this.logger.info('Stopped jobs');
  }

  private build(): Scheduler {
    const defaults = this.config.advanced.scheduler;
    const scheduler = new Scheduler({
      ...this.schedulerOptions,
      timezone: defaults.timezone,
      jobDefaults: {
        coalesce: defaults.coalesce,
        maxInstances: defaults.maxInstances,
        misfireGraceTime: defaults.misfireGraceTime,
        // NOTE: failures are decided here (on_error), not by the scheduler.
        onError: 'continue',
      },
    });
    for (const job of Object.values(this.config.jobs)) {
      scheduler.add({
        id: job.name,
        trigger: triggerOf(job),
        run: ({ signal }) => this.hooks.fire(job.hook, { ...job.args }, { wait: true, signal }),
      });
    }
    scheduler.on('error', ({ jobId, error }) => this.onError(this.config.jobs[jobId]!, error));
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
    return scheduler;
  }

  private onError(job: JobConfig, error: Error): void {
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

function triggerOf(job: JobConfig): Trigger {
  const trigger = job.trigger;
  if ('crontab' in trigger) return { cron: trigger.crontab };
  if ('interval' in trigger) return { interval: trigger.interval };
  return { daemon: true };
}
