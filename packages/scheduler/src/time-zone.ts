import { SchedulerError } from './errors.js';

/** Computes UTC offsets of one IANA time zone, with a cached `Intl.DateTimeFormat`. */
export class TimeZone {
  readonly name: string;
  /** True for UTC and its aliases: no offsets to compute. */
  readonly isUtc: boolean;
  private readonly format: Intl.DateTimeFormat | undefined;

  private constructor(name: string) {
    this.name = name;
    this.isUtc = UTC_NAMES.has(name);
    this.format = this.isUtc
      ? undefined
      : new Intl.DateTimeFormat('en-US', {
          timeZone: name,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        });
  }

  private static readonly cache = new Map<string, TimeZone>();

  /** The zone named `name`; throws `INVALID_TIMEZONE` for a name `Intl` does not know. */
  static of(name: string): TimeZone {
    let zone = TimeZone.cache.get(name);
    if (zone === undefined) {
      if (typeof name !== 'string' || name.length === 0) {
        throw new SchedulerError(
          'INVALID_TIMEZONE',
          `Expected an IANA time zone name, found ${String(name)}.`,
        );
      }
      try {
        zone = new TimeZone(name);
      } catch (error) {
        throw new SchedulerError(
          'INVALID_TIMEZONE',
          `Unknown time zone "${name}": expected an IANA name such as "UTC" or "Europe/Berlin".`,
          { cause: error },
        );
      }
      TimeZone.cache.set(name, zone);
    }
    return zone;
  }

  // NOTE: a window [knownFrom, knownTo] over which the offset is known to be constant. Like the
  // Temporal polyfill we assume two offset transitions are never less than two days apart, so two
  // equal offsets at most a day apart mean no transition between them. Sequential cron look-ups then
  // skip most `formatToParts` calls, which cost ~4 µs each.
  private knownFrom = Number.NaN;
  private knownTo = Number.NaN;
  private knownOffset = 0;

  /** Offset from UTC in milliseconds at the instant `epochMs` (local = instant + offset). */
  offsetAt(epochMs: number): number {
    if (this.format === undefined) return 0;
    if (epochMs >= this.knownFrom && epochMs <= this.knownTo) return this.knownOffset;
    const offset = this.computeOffset(epochMs);
    if (offset === this.knownOffset && epochMs > this.knownTo && epochMs - this.knownTo <= DAY_MS) {
      this.knownTo = epochMs;
    } else if (
      offset === this.knownOffset &&
      epochMs < this.knownFrom &&
      this.knownFrom - epochMs <= DAY_MS
    ) {
      this.knownFrom = epochMs;
    } else {
      this.knownFrom = epochMs;
      this.knownTo = epochMs;
      this.knownOffset = offset;
    }
    return offset;
  }

  private computeOffset(epochMs: number): number {
    const whole = Math.floor(epochMs / 1000) * 1000;
    const parts = this.format!.formatToParts(whole);
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of parts) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        default:
          break;
      }
    }
    return Date.UTC(year, month - 1, day, hour, minute, second) - whole;
  }

  /** The local wall time of an instant, as epoch milliseconds of the same wall time read in UTC. */
  toLocal(epochMs: number): number {
    return epochMs + this.offsetAt(epochMs);
  }
}

const DAY_MS = 86_400_000;
const UTC_NAMES = new Set([
  'UTC',
  'Etc/UTC',
  'Etc/GMT',
  'GMT',
  'Etc/Universal',
  'Etc/Zulu',
  'Universal',
  'Zulu',
]);
