import { describe, expect, it } from 'vitest';
import { SchedulerError } from '../errors.js';
import { cronFireTimes } from './cron-fire-times.js';
import { parseCron } from './parse-cron.js';

const fires = (expression: string, timezone: string, after: string, count: number) =>
  cronFireTimes(expression, { timezone, after: new Date(after), count }).map((date) => date.toISOString());

describe('cron semantics', () => {
  it('reads 5 fields as minute-first and 6 fields as second-first', () => {
    expect(fires('30 2 * * *', 'UTC', '2025-01-01T00:00:00Z', 2)).toEqual([
      '2025-01-01T02:30:00.000Z',
      '2025-01-02T02:30:00.000Z',
    ]);
    expect(fires('15 30 2 * * *', 'UTC', '2025-01-01T00:00:00Z', 1)).toEqual(['2025-01-01T02:30:15.000Z']);
  });

  it('treats 0 and 7 as Sunday (standard cron; DipDup/APScheduler read 0 as Monday)', () => {
    // 2025-01-05 is a Sunday.
    expect(fires('0 0 * * 0', 'UTC', '2025-01-01T00:00:00Z', 1)).toEqual(['2025-01-05T00:00:00.000Z']);
    expect(fires('0 0 * * 7', 'UTC', '2025-01-01T00:00:00Z', 1)).toEqual(['2025-01-05T00:00:00.000Z']);
  });

  it('combines day-of-month and day-of-week with OR', () => {
    // Fridays or the 13th: Jan 3 (Fri), Jan 10 (Fri), Jan 13 (Mon), Jan 17 (Fri).
    expect(fires('0 0 13 * 5', 'UTC', '2025-01-01T00:00:00Z', 4)).toEqual([
      '2025-01-03T00:00:00.000Z',
      '2025-01-10T00:00:00.000Z',
      '2025-01-13T00:00:00.000Z',
      '2025-01-17T00:00:00.000Z',
    ]);
  });

  it('supports L and #', () => {
    expect(fires('0 0 L * *', 'UTC', '2025-01-01T00:00:00Z', 2)).toEqual([
      '2025-01-31T00:00:00.000Z',
      '2025-02-28T00:00:00.000Z',
    ]);
    expect(fires('0 0 * * 5#3', 'UTC', '2025-01-01T00:00:00Z', 1)).toEqual(['2025-01-17T00:00:00.000Z']);
    expect(fires('0 0 0 29 2 *', 'UTC', '2025-01-01T00:00:00Z', 2)).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
    ]);
  });

  it('supports the macros', () => {
    const after = '2025-01-01T10:20:00Z';
    expect(fires('@hourly', 'UTC', after, 1)).toEqual(['2025-01-01T11:00:00.000Z']);
    expect(fires('@daily', 'UTC', after, 1)).toEqual(['2025-01-02T00:00:00.000Z']);
    expect(fires('@weekly', 'UTC', after, 1)).toEqual(['2025-01-05T00:00:00.000Z']);
    expect(fires('@monthly', 'UTC', after, 1)).toEqual(['2025-02-01T00:00:00.000Z']);
    expect(fires('@yearly', 'UTC', after, 1)).toEqual(['2026-01-01T00:00:00.000Z']);
  });

  it.each([
    ['61 * * * *', 'minute'],
    ['* 24 * * *', 'hour'],
    ['* * 32 * *', 'dayOfMonth'],
    ['* * * 13 *', 'month'],
    ['* * * * 8', 'dayOfWeek'],
    ['60 * * * * *', 'second'],
    ['H * * * *', 'minute'],
    ['0 0 1W * *', 'dayOfMonth'],
    ['0 0 30 2 *', 'dayOfMonth'],
    ['0 0 31 4 *', 'dayOfMonth'],
  ])('rejects %s naming the %s field', (expression, field) => {
    let caught: unknown;
    try {
      parseCron(expression);
    } catch (error) {
      caught = error;
    }
    expect(SchedulerError.is(caught)).toBe(true);
    const error = caught as SchedulerError;
    expect(error.code).toBe('INVALID_CRON');
    expect(error.field).toBe(field);
    expect(error.message).toContain(expression);
  });

  it.each([
    ['', 'Expected a cron expression'],
    ['* * *', 'expected 5 fields'],
    ['0 0 0 1 1 * 2030', 'found 7'],
    ['@every_minute', 'Unknown cron macro'],
  ])('rejects %j with a clear message', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(message);
  });
});

describe('DST policy', () => {
  describe('America/New_York (spring forward 2025-03-09 02:00 -> 03:00, fall back 2025-11-02 02:00 -> 01:00)', () => {
    const zone = 'America/New_York';
    it('fires a daily time inside the gap once, at the end of the gap (03:00 EDT)', () => {
      expect(fires('30 2 * * *', zone, '2025-03-08T12:00:00Z', 3)).toEqual([
        '2025-03-09T07:00:00.000Z',
        '2025-03-10T06:30:00.000Z',
        '2025-03-11T06:30:00.000Z',
      ]);
    });
    it('fires hourly and sub-hourly patterns by real elapsed time through the gap', () => {
      expect(fires('0 * * * *', zone, '2025-03-09T05:30:00Z', 3)).toEqual([
        '2025-03-09T06:00:00.000Z',
        '2025-03-09T07:00:00.000Z',
        '2025-03-09T08:00:00.000Z',
      ]);
      expect(fires('15 * * * *', zone, '2025-03-09T05:30:00Z', 3)).toEqual([
        '2025-03-09T06:15:00.000Z',
        '2025-03-09T07:15:00.000Z',
        '2025-03-09T08:15:00.000Z',
      ]);
      expect(fires('*/30 * * * *', zone, '2025-03-09T06:00:00Z', 3)).toEqual([
        '2025-03-09T06:30:00.000Z',
        '2025-03-09T07:00:00.000Z',
        '2025-03-09T07:30:00.000Z',
      ]);
    });
    it('fires a daily time inside the repeated hour once, at its first occurrence', () => {
      expect(fires('30 1 * * *', zone, '2025-11-01T12:00:00Z', 2)).toEqual([
        '2025-11-02T05:30:00.000Z',
        '2025-11-03T06:30:00.000Z',
      ]);
    });
    it('fires hourly and sub-hourly patterns in both passes of the repeated hour', () => {
      expect(fires('0 * * * *', zone, '2025-11-02T04:30:00Z', 3)).toEqual([
        '2025-11-02T05:00:00.000Z',
        '2025-11-02T06:00:00.000Z',
        '2025-11-02T07:00:00.000Z',
      ]);
      expect(fires('*/30 * * * *', zone, '2025-11-02T04:45:00Z', 6)).toEqual([
        '2025-11-02T05:00:00.000Z',
        '2025-11-02T05:30:00.000Z',
        '2025-11-02T06:00:00.000Z',
        '2025-11-02T06:30:00.000Z',
        '2025-11-02T07:00:00.000Z',
        '2025-11-02T07:30:00.000Z',
      ]);
    });
    it('fires a minute-restricted pattern of a fixed hour once per wall time in the repeated hour', () => {
      expect(fires('*/30 1 * * *', zone, '2025-11-02T04:00:00Z', 3)).toEqual([
        '2025-11-02T05:00:00.000Z',
        '2025-11-02T05:30:00.000Z',
        '2025-11-03T06:00:00.000Z',
      ]);
    });
  });

  describe('Europe/London (2025-03-30 01:00 -> 02:00, 2025-10-26 02:00 -> 01:00)', () => {
    const zone = 'Europe/London';
    it('handles the gap and the overlap', () => {
      expect(fires('30 1 * * *', zone, '2025-03-29T12:00:00Z', 2)).toEqual([
        '2025-03-30T01:00:00.000Z',
        '2025-03-31T00:30:00.000Z',
      ]);
      expect(fires('30 1 * * *', zone, '2025-10-25T12:00:00Z', 2)).toEqual([
        '2025-10-26T00:30:00.000Z',
        '2025-10-27T01:30:00.000Z',
      ]);
      expect(fires('0 * * * *', zone, '2025-10-25T23:30:00Z', 3)).toEqual([
        '2025-10-26T00:00:00.000Z',
        '2025-10-26T01:00:00.000Z',
        '2025-10-26T02:00:00.000Z',
      ]);
    });
  });

  describe('Australia/Lord_Howe (30-minute shifts: 2025-10-05 02:00 -> 02:30, 2026-04-05 02:00 -> 01:30)', () => {
    const zone = 'Australia/Lord_Howe';
    it('fires a daily time in the 30-minute gap once, at the end of the gap', () => {
      // 02:15 does not exist on 2025-10-05; the gap ends at 02:30 +11:00 = 15:30Z.
      expect(fires('15 2 * * *', zone, '2025-10-04T00:00:00Z', 2)).toEqual([
        '2025-10-04T15:30:00.000Z',
        '2025-10-05T15:15:00.000Z',
      ]);
    });
    it('fires every-15-minutes by real time through the gap', () => {
      expect(fires('*/15 * * * *', zone, '2025-10-04T15:00:00Z', 4)).toEqual([
        '2025-10-04T15:15:00.000Z',
        '2025-10-04T15:30:00.000Z',
        '2025-10-04T15:45:00.000Z',
        '2025-10-04T16:00:00.000Z',
      ]);
    });
    it('fires a daily time in the repeated half hour once', () => {
      expect(fires('45 1 * * *', zone, '2026-04-04T00:00:00Z', 2)).toEqual([
        '2026-04-04T14:45:00.000Z',
        '2026-04-05T15:15:00.000Z',
      ]);
    });
    it('fires every-15-minutes in both passes of the repeated half hour', () => {
      expect(fires('*/15 * * * *', zone, '2026-04-04T14:15:00Z', 6)).toEqual([
        '2026-04-04T14:30:00.000Z',
        '2026-04-04T14:45:00.000Z',
        '2026-04-04T15:00:00.000Z',
        '2026-04-04T15:15:00.000Z',
        '2026-04-04T15:30:00.000Z',
        '2026-04-04T15:45:00.000Z',
      ]);
    });
  });

  it('never fires twice at one instant or goes backwards across a whole year of transitions', () => {
    for (const zone of ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Havana']) {
      for (const expression of ['*/30 * * * *', '0 * * * *', '30 1 * * *', '30 2 * * *', '0 0 * * *']) {
        const times = fires(
          expression,
          zone,
          '2025-01-01T00:00:00Z',
          expression.startsWith('*/30') ? 17_600 : 400,
        );
        for (let i = 1; i < times.length; i++) expect(times[i]! > times[i - 1]!).toBe(true);
      }
    }
    // NOTE: about 4 s of pure computation on a quiet 2-core machine; the default 5 s is too tight
    // when the whole suite runs in parallel.
  }, 30_000);
});
