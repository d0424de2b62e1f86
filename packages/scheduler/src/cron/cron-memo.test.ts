import { describe, expect, it } from 'vitest';
import { createHarness } from '../_test/harness.js';
import { TimeZone } from '../time-zone.js';
import { cronFireTimes } from './cron-fire-times.js';
import { acquireCronSchedule, CronSchedule, releaseCronSchedule } from './cron-schedule.js';

// Each window starts some hours before a DST transition and ends some hours after it.
const WINDOWS = [
  { zone: 'America/New_York', from: '2025-03-09T04:00:00Z', hours: 6 },
  { zone: 'America/New_York', from: '2025-11-02T03:00:00Z', hours: 6 },
  { zone: 'Europe/London', from: '2025-03-30T00:00:00Z', hours: 3 },
  { zone: 'Europe/London', from: '2025-10-26T00:00:00Z', hours: 3 },
  { zone: 'Australia/Lord_Howe', from: '2025-04-05T13:00:00Z', hours: 3 },
  { zone: 'Australia/Lord_Howe', from: '2025-10-04T14:00:00Z', hours: 3 },
];
const PATTERNS = ['*/15 * * * *', '0 * * * *', '30 1 * * *', '30 2 * * *', '0 */20 * * * *'];

describe('CronSchedule: the remembered last answer', () => {
  it.each(WINDOWS)(
    'gives the answers of a fresh schedule around the transition in $zone at $from',
    ({ zone, from, hours }) => {
      const timeZone = TimeZone.of(zone);
      for (const pattern of PATTERNS) {
        const remembered = new CronSchedule(pattern, timeZone);
        const fresh = (after: number) => new CronSchedule(pattern, timeZone).next(after);
        const start = Date.parse(from);
        const end = start + hours * 3600_000;
        let cursor = start;
        for (let step = 0; step < 200 && cursor < end; step++) {
          const expected = fresh(cursor);
          // Asked twice (as by jobs due together), then a different question, then the first again.
          expect(remembered.next(cursor), `${pattern} after ${new Date(cursor).toISOString()}`).toBe(
            expected,
          );
          expect(remembered.next(cursor)).toBe(expected);
          expect(remembered.next(cursor - 60_000)).toBe(fresh(cursor - 60_000));
          expect(remembered.next(cursor)).toBe(expected);
          if (expected === null) break;
          cursor = expected;
        }
      }
    },
  );

  it('is shared by every job with the same expression and zone, and freed with the last of them', () => {
    const zone = TimeZone.of('America/New_York');
    // NOTE: identity is compared by hand: vitest's `not.toBe` deep-compares two different schedules
    // (cron-parser's and luxon's internals), which takes minutes.
    const first = acquireCronSchedule('*/15 * * * *', zone);
    const second = acquireCronSchedule(' */15 * * * * ', zone);
    const london = acquireCronSchedule('*/15 * * * *', TimeZone.of('Europe/London'));
    expect(second === first).toBe(true);
    expect(london === first).toBe(false);
    releaseCronSchedule(first);
    releaseCronSchedule(second);
    releaseCronSchedule(london);
    const again = acquireCronSchedule('*/15 * * * *', zone);
    expect(again === first).toBe(false);
    releaseCronSchedule(again);
  });

  it('fires many jobs sharing a zoned expression at the same instants as one, through both transitions', async () => {
    for (const from of ['2025-03-09T05:00:00Z', '2025-11-02T04:00:00Z']) {
      const { time, scheduler } = createHarness({ start: from, timezone: 'America/New_York' });
      const fires = new Map<string, number[]>();
      for (let index = 0; index < 50; index++) {
        const id = `job-${index}`;
        fires.set(id, []);
        scheduler.add({
          id,
          trigger: { cron: index % 2 === 0 ? '*/30 * * * *' : '30 1,2 * * *' },
          run: ({ scheduledAt }) => void fires.get(id)!.push(scheduledAt.getTime()),
        });
      }
      scheduler.start();
      await time.advance(4 * 3600_000);
      await scheduler.shutdown();
      const expected = (pattern: string) =>
        cronFireTimes(pattern, { timezone: 'America/New_York', after: Date.parse(from), count: 20 })
          .map((date) => date.getTime())
          .filter((at) => at <= Date.parse(from) + 4 * 3600_000);
      for (const [id, list] of fires) {
        expect(list, id).toEqual(expected(Number(id.slice(4)) % 2 === 0 ? '*/30 * * * *' : '30 1,2 * * *'));
      }
    }
  });
});
