import { EX_OK } from '../errors/exit-codes.js';
import { UsageError } from '../errors/usage-error.js';
import { formatInTimeZone, nextFireTimes } from '../jobs/next-fire-times.js';
import { type CommandContext, loadConfiguration } from '../options/command-context.js';
import { formatTable } from '../output/format-table.js';

/** How many fire times `jobs list` shows per job. */
export const FIRE_TIMES_SHOWN = 3;

/** `hookdex jobs list [--from <datetime>]`: every job, its hook, trigger, time zone and next fire times. */
export async function jobsListCommand(context: CommandContext, options: { from?: string }): Promise<number> {
  const from = options.from === undefined ? new Date() : parseFrom(options.from);
  const { config } = await loadConfiguration(context);
  const timezone = config.advanced.scheduler.timezone;
  const schedules = nextFireTimes(Object.values(config.jobs), { timezone, from, count: FIRE_TIMES_SHOWN });
  if (schedules.length === 0) {
    context.io.stdout.write('No jobs: add some under `jobs:` in the configuration.\n');
    return EX_OK;
  }
  const rows = schedules.map((schedule) => [
    schedule.job,
    schedule.hook,
    schedule.trigger,
    schedule.timezone,
    schedule.next.length === 0
      ? 'starts with hookdex, runs until it stops'
      : schedule.next.map((date) => formatInTimeZone(date, timezone)).join(', '),
  ]);
  context.io.stdout.write(formatTable(['JOB', 'HOOK', 'TRIGGER', 'TIMEZONE', 'NEXT FIRE TIMES'], rows));
  return EX_OK;
}

function parseFrom(text: string): Date {
  // NOTE: an offset is required: "from midnight" means nothing without saying where.
  const date = /(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim()) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(
      `--from ${JSON.stringify(text)}: expected an ISO 8601 date-time with an offset, such as 2025-01-01T00:00:00Z`,
    );
  }
  return date;
}
