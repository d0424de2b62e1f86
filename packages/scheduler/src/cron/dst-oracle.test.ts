import { describe, expect, it } from 'vitest';
import { TimeZone } from '../time-zone.js';
import { CronSchedule } from './cron-schedule.js';

// A brute-force oracle for the DST policy: step minute by minute through two days around every
// offset transition of 2025-2026 and derive the expected fires from wall times alone.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Pattern {
  expression: string;
  minutes: (minute: number) => boolean;
  hours: (hour: number) => boolean;
  everyHour: boolean;
}

const patterns: Pattern[] = [
  { expression: '*/15 * * * *', minutes: (m) => m % 15 === 0, hours: () => true, everyHour: true },
  { expression: '0 * * * *', minutes: (m) => m === 0, hours: () => true, everyHour: true },
  { expression: '30 1 * * *', minutes: (m) => m === 30, hours: (h) => h === 1, everyHour: false },
  { expression: '30 2 * * *', minutes: (m) => m === 30, hours: (h) => h === 2, everyHour: false },
  { expression: '0 0 * * *', minutes: (m) => m === 0, hours: (h) => h === 0, everyHour: false },
  { expression: '*/20 2 * * *', minutes: (m) => m % 20 === 0, hours: (h) => h === 2, everyHour: false },
];

function transitions(zone: TimeZone, from: number, to: number): number[] {
  const found: number[] = [];
  for (let t = from; t < to; t += HOUR) {
    if (zone.offsetAt(t) !== zone.offsetAt(t + HOUR)) {
      let low = t;
      let high = t + HOUR;
      while (high - low > MINUTE) {
        const middle = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE;
        if (zone.offsetAt(middle) === zone.offsetAt(t)) low = middle;
        else high = middle;
      }
      found.push(high);
    }
  }
  return found;
}

function expectedFires(zone: TimeZone, pattern: Pattern, from: number, to: number): number[] {
  const fires = new Set<number>();
  const seenWall = new Set<number>();
  const matches = (wall: number) => {
    const date = new Date(wall);
    return pattern.minutes(date.getUTCMinutes()) && pattern.hours(date.getUTCHours());
  };
  for (let t = from; t <= to; t += MINUTE) {
    const wall = t + zone.offsetAt(t);
    const before = t - MINUTE + zone.offsetAt(t - MINUTE);
    if (!pattern.everyHour && wall - before > MINUTE) {
      // Wall minutes skipped by a spring-forward at t: a fixed-time match among them fires at t.
      for (let skipped = before + MINUTE; skipped < wall; skipped += MINUTE) {
        if (matches(skipped)) fires.add(t);
      }
    }
    if (matches(wall) && (pattern.everyHour || !seenWall.has(wall))) fires.add(t);
    seenWall.add(wall);
  }
  return [...fires].sort((a, b) => a - b);
}

describe('DST policy against a minute-by-minute oracle', () => {
  for (const name of [
    'America/New_York',
    'Europe/London',
    'Australia/Lord_Howe',
    'America/Havana',
    'Pacific/Chatham',
    'America/Santiago',
  ]) {
    it(`matches the oracle around every transition in ${name}`, () => {
      const zone = TimeZone.of(name);
      const all = transitions(zone, Date.parse('2025-01-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z'));
      expect(all.length).toBeGreaterThanOrEqual(3);
      for (const pattern of patterns) {
        const schedule = new CronSchedule(pattern.expression, zone);
        for (const transition of all) {
          const from = transition - 26 * HOUR;
          const to = transition + 26 * HOUR;
          const actual: number[] = [];
          for (let next = schedule.next(from - 1); next !== null && next <= to; next = schedule.next(next)) {
            actual.push(next);
          }
          const expected = expectedFires(zone, pattern, from, to);
          expect(
            actual.map((t) => new Date(t).toISOString()),
            `${pattern.expression} around ${new Date(transition).toISOString()}`,
          ).toEqual(expected.map((t) => new Date(t).toISOString()));
        }
      }
    });
  }
});
