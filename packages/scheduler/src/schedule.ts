/** Fire times of one trigger, in epoch milliseconds. */
export interface Schedule {
  /** The first fire time strictly after `after`, or null when there is none. */
  next(after: number): number | null;
  /** The last fire time at or before `atOrBefore`, or null when there is none. */
  previous(atOrBefore: number): number | null;
}

/** Fires at `anchor + k * period` for k >= 1: anchored, so it never drifts. */
export class IntervalSchedule implements Schedule {
  constructor(
    readonly anchor: number,
    readonly periodMs: number,
  ) {}

  next(after: number): number | null {
    const k = Math.max(1, Math.floor((after - this.anchor) / this.periodMs) + 1);
    const fire = this.anchor + k * this.periodMs;
    // NOTE: floating point can land one period short for huge k; step once more if so.
    return fire > after ? fire : this.anchor + (k + 1) * this.periodMs;
  }

  previous(atOrBefore: number): number | null {
    const k = Math.floor((atOrBefore - this.anchor) / this.periodMs);
    if (k < 1) return null;
    const fire = this.anchor + k * this.periodMs;
    return fire <= atOrBefore ? fire : k > 1 ? this.anchor + (k - 1) * this.periodMs : null;
  }
}

/** Fires once, at `at`. */
export class DateSchedule implements Schedule {
  constructor(readonly at: number) {}

  next(after: number): number | null {
    return this.at > after ? this.at : null;
  }

  previous(atOrBefore: number): number | null {
    return this.at <= atOrBefore ? this.at : null;
  }
}

/** Restricts a schedule to [startMs, endMs]. */
export class BoundedSchedule implements Schedule {
  constructor(
    private readonly inner: Schedule,
    private readonly startMs: number,
    private readonly endMs: number,
  ) {}

  next(after: number): number | null {
    const fire = this.inner.next(Math.max(after, this.startMs - 1));
    return fire === null || fire > this.endMs ? null : fire;
  }

  previous(atOrBefore: number): number | null {
    const fire = this.inner.previous(Math.min(atOrBefore, this.endMs));
    return fire === null || fire < this.startMs ? null : fire;
  }
}
