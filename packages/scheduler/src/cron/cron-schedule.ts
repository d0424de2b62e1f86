import type { CronExpression } from 'cron-parser';
import type { Schedule } from '../schedule.js';
import type { TimeZone } from '../time-zone.js';
import { type ParsedCron, parseCron } from './parse-cron.js';

const DAY_MS = 86_400_000;
// NOTE: a guard against a runaway loop; every real pattern needs one to three rounds.
const MAX_ROUNDS = 10_000;

/**
 * Fire times of a cron expression in a time zone, with the Vixie cron DST policy:
 * - a wall time that falls in a spring-forward gap fires once, at the end of the gap, unless the
 *   pattern runs every hour (then real time never passes that wall time, and it is skipped);
 * - a wall time that occurs twice in a fall-back overlap fires once, at its first occurrence, unless
 *   the pattern runs every hour (then it fires at both, following real elapsed time).
 * cron-parser runs on the naive wall-clock timeline (wall times read as UTC); this class maps wall
 * times to instants, which is where cron-parser's own DST handling differs from the policy above.
 */
export class CronSchedule implements Schedule {
  readonly cron: ParsedCron;
  readonly zone: TimeZone;
  private readonly iterator: CronExpression;
  // NOTE: jobs with the same expression and zone share one CronSchedule (see `cronSchedule`), and
  // jobs due together ask for the same `next(after)`: remembering the last answer makes 1,000 such
  // jobs cost one cron-parser call per fire instead of 1,000.
  private lastAfter = Number.NaN;
  private lastNext: number | null = null;

  constructor(expression: string, zone: TimeZone) {
    this.cron = parseCron(expression);
    this.zone = zone;
    this.iterator = this.cron.expression;
  }

  next(after: number): number | null {
    if (after === this.lastAfter) return this.lastNext;
    const result = this.zone.isUtc ? this.naiveNext(after) : this.zonedNext(after);
    this.lastAfter = after;
    this.lastNext = result;
    return result;
  }

  previous(atOrBefore: number): number | null {
    if (this.zone.isUtc) return this.naivePrevious(atOrBefore + 1);
    return this.zonedPrevious(atOrBefore);
  }

  /** First wall time strictly after `naive` (both on the naive timeline). */
  private naiveNext(naive: number): number | null {
    try {
      this.iterator.reset(new Date(naive));
      return this.iterator.next().getTime();
    } catch {
      return null;
    }
  }

  /** Last wall time strictly before `naive`. */
  private naivePrevious(naive: number): number | null {
    try {
      this.iterator.reset(new Date(naive));
      return this.iterator.prev().getTime();
    } catch {
      return null;
    }
  }

  private zonedNext(after: number): number | null {
    const zone = this.zone;
    const offsetAfter = zone.offsetAt(after);
    let cursor = after + offsetAfter;
    let best: number | null = null;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const wall = this.naiveNext(cursor);
      if (wall === null) break;
      for (const instant of this.instantsOf(wall)) {
        if (instant > after && (best === null || instant < best)) best = instant;
      }
      if (best !== null) {
        // Any later wall time maps to an instant of at least `wall - largest offset` around here.
        const largestOffset = Math.max(offsetAfter, zone.offsetAt(best));
        if (wall - largestOffset >= best) break;
      }
      cursor = wall;
    }
    if (best !== null && this.cron.everyHour && zone.offsetAt(best) < offsetAfter) {
      // A fall-back lies between `after` and `best`: wall times at or before `after`'s wall time
      // repeat after it, and their second occurrences may come before `best`.
      const second = this.firstRepeatAfter(after, best);
      if (second !== null && second < best) best = second;
    }
    return best;
  }

  /** The first second occurrence of a repeated wall time in the fall-back inside (after, before). */
  private firstRepeatAfter(after: number, before: number): number | null {
    const zone = this.zone;
    const transition = findTransition(zone, after, before);
    const offsetLater = zone.offsetAt(transition);
    const offsetEarlier = zone.offsetAt(transition - 1);
    const overlapStart = transition + offsetLater;
    const overlapEnd = transition + offsetEarlier;
    const wall = this.naiveNext(overlapStart - 1);
    if (wall === null || wall >= overlapEnd) return null;
    return wall - offsetLater;
  }

  private zonedPrevious(atOrBefore: number): number | null {
    const zone = this.zone;
    const offsetAt = zone.offsetAt(atOrBefore);
    // After a fall-back, wall times up to the size of the shift ahead of ours first occurred earlier.
    const lookAhead = Math.max(0, zone.offsetAt(atOrBefore - DAY_MS) - offsetAt);
    let cursor = atOrBefore + offsetAt + lookAhead + 1;
    let best: number | null = null;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const wall = this.naivePrevious(cursor);
      if (wall === null) break;
      for (const instant of this.instantsOf(wall)) {
        if (instant <= atOrBefore && (best === null || instant > best)) best = instant;
      }
      if (best !== null) {
        const smallestOffset = Math.min(offsetAt, zone.offsetAt(best));
        if (wall - smallestOffset <= best) break;
      }
      cursor = wall;
    }
    return best;
  }

  /** The instants at which the wall time `wall` fires under the DST policy, ascending. */
  private instantsOf(wall: number): number[] {
    const zone = this.zone;
    const offsetBefore = zone.offsetAt(wall - DAY_MS);
    const offsetAfter = zone.offsetAt(wall + DAY_MS);
    const early = wall - offsetBefore;
    if (offsetBefore === offsetAfter) return [early];
    const late = wall - offsetAfter;
    const earlyValid = zone.offsetAt(early) === offsetBefore;
    const lateValid = zone.offsetAt(late) === offsetAfter;
    if (earlyValid && lateValid) {
      // A repeated wall time: both instants exist.
      const first = Math.min(early, late);
      const second = Math.max(early, late);
      return this.cron.everyHour ? [first, second] : [first];
    }
    if (earlyValid) return [early];
    if (lateValid) return [late];
    // A wall time inside a spring-forward gap.
    if (this.cron.everyHour) return [];
    return [findTransition(zone, late, early)];
  }
}

/** The first instant in (from, to] whose offset differs from the offset at `from`. */
function findTransition(zone: TimeZone, from: number, to: number): number {
  const offsetFrom = zone.offsetAt(from);
  let low = from;
  let high = to;
  // NOTE: offsets change on whole seconds; search in seconds to keep it to ~20 rounds.
  while (high - low > 1000) {
    const middle = low + Math.floor((high - low) / 2000) * 1000;
    if (zone.offsetAt(middle) === offsetFrom) low = middle;
    else high = middle;
  }
  return Math.ceil(high / 1000) * 1000;
}

const shared = new Map<string, { schedule: CronSchedule; users: number }>();

/** A `CronSchedule` shared by every job with the same expression and zone (each costs ~4 KB). */
export function acquireCronSchedule(expression: string, zone: TimeZone): CronSchedule {
  const key = `${expression.trim()}\u0000${zone.name}`;
  let entry = shared.get(key);
  if (entry === undefined) {
    entry = { schedule: new CronSchedule(expression, zone), users: 0 };
    shared.set(key, entry);
  }
  entry.users++;
  return entry.schedule;
}

/** Releases a schedule taken with `acquireCronSchedule`; the last release frees it. */
export function releaseCronSchedule(schedule: CronSchedule): void {
  const key = `${schedule.cron.source}\u0000${schedule.zone.name}`;
  const entry = shared.get(key);
  if (entry === undefined || entry.schedule !== schedule) return;
  entry.users--;
  if (entry.users <= 0) shared.delete(key);
}
