import type { JobConfig } from '@hookdex/core';
import { cronFireTimes } from '@hookdex/scheduler';

/** A job as `hookdex jobs list` shows it. */
export interface JobSchedule {
  readonly job: string;
  readonly hook: string;
  /** `crontab "0 0 * * *"`, `interval 60 s`, `daemon`. */
  readonly trigger: string;
  readonly timezone: string;
  /** The next fire times after `from`; empty for a daemon, which starts with hookdex and runs until it stops. */
  readonly next: readonly Date[];
}

/**
 * The next `count` fire times of each job if hookdex started at `from`: crontabs in the scheduler's
 * time zone, computed by `@hookdex/scheduler` itself (same parser, same DST policy); interval jobs
 * first fire one interval after start.
 */
export function nextFireTimes(
  jobs: readonly JobConfig[],
  options: { timezone: string; from: Date; count: number },
): JobSchedule[] {
  return jobs.map((job) => {
    const trigger = job.trigger;
    let description: string;
    let next: Date[];
    if ('crontab' in trigger) {
      description = `crontab "${trigger.crontab}"`;
      next = cronFireTimes(trigger.crontab, {
        timezone: options.timezone,
        after: options.from,
        count: options.count,
      });
    } else if ('interval' in trigger) {
      description = `interval ${trigger.interval} s`;
      next = Array.from(
        { length: options.count },
        (_, index) => new Date(options.from.getTime() + (index + 1) * trigger.interval * 1000),
      );
    } else {
      description = 'daemon';
      next = [];
    }
    return { job: job.name, hook: job.hook, trigger: description, timezone: options.timezone, next };
  });
}

/** `2025-01-01 00:00:00 +01:00`: the wall time in `timezone` with its UTC offset. */
export function formatInTimeZone(date: Date, timezone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  // `GMT+01:00`, or `GMT` for UTC itself.
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : String(parts.timeZoneName).replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${offset}`;
}
