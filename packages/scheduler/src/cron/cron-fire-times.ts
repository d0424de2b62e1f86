import { TimeZone } from '../time-zone.js';
import { CronSchedule } from './cron-schedule.js';

/**
 * The next `count` fire times of a cron expression after `after`, as the scheduler would fire them
 * (same parser, same DST policy). Throws `INVALID_CRON` / `INVALID_TIMEZONE` like `Scheduler.add`.
 */
export function cronFireTimes(
  expression: string,
  options: { timezone?: string; after?: Date | number; count?: number } = {},
): Date[] {
  const schedule = new CronSchedule(expression, TimeZone.of(options.timezone ?? 'UTC'));
  const times: Date[] = [];
  let cursor = options.after === undefined ? Date.now() : new Date(options.after).getTime();
  for (let i = 0; i < (options.count ?? 1); i++) {
    const next = schedule.next(cursor);
    if (next === null) break;
    times.push(new Date(next));
    cursor = next;
  }
  return times;
}
