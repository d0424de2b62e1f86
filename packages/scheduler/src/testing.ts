import type { Clock, TimerHandle, TimerSource } from './clock.js';

interface FakeTimer extends TimerHandle {
  readonly id: number;
  /** Monotonic time at which it fires. */
  readonly at: number;
  readonly callback: () => void;
}

export interface FakeTimeOptions {
  /** Initial wall-clock time. Default 2025-01-01T00:00:00Z. */
  now?: Date | number | string;
  /** Fire every timer this many milliseconds before its target, as Node's timers can. Default 0. */
  earlyWakeMs?: number;
}

/**
 * A fake wall clock and timer source for tests: pass it as both `clock` and `timers`.
 * Monotonic time (what timers wait on) and wall time (what `now()` reads) are kept apart so
 * tests can make the wall clock jump, block the event loop, or wake timers early.
 */
export class FakeTime implements Clock, TimerSource {
  private monotonic = 0;
  private wallOffset: number;
  private nextId = 1;
  private readonly pending = new Map<number, FakeTimer>();
  private readonly earlyWakeMs: number;
  /** Every delay passed to `setTimeout`, in order: lets tests check that sleeps are capped. */
  readonly requestedDelays: number[] = [];

  constructor(options: FakeTimeOptions = {}) {
    const start =
      options.now === undefined ? Date.parse('2025-01-01T00:00:00Z') : new Date(options.now).getTime();
    if (!Number.isFinite(start)) throw new TypeError(`FakeTime: invalid start time ${String(options.now)}.`);
    this.wallOffset = start;
    this.earlyWakeMs = options.earlyWakeMs ?? 0;
  }

  /** Wall-clock time in epoch milliseconds. */
  now(): number {
    return this.monotonic + this.wallOffset;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    this.requestedDelays.push(delayMs);
    // Like Node: non-numbers and values below 1 become 1, and values above 2^31-1 become 1 too.
    let delay = Number.isFinite(delayMs) ? delayMs : 1;
    if (delay < 1 || delay > 2 ** 31 - 1) delay = 1;
    const timer: FakeTimer = {
      id: this.nextId++,
      at: this.monotonic + delay - this.earlyWakeMs,
      callback,
      unref: () => timer,
    };
    this.pending.set(timer.id, timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as FakeTimer;
    this.pending.delete(timer.id);
  }

  /** Timers waiting to fire. */
  get pendingTimers(): number {
    return this.pending.size;
  }

  /**
   * Lets `ms` milliseconds pass, firing each timer at its time, in order, and letting promise
   * callbacks run after each one.
   */
  async advance(ms: number): Promise<void> {
    const end = this.monotonic + ms;
    // Whatever the test settled before calling us happens before the next timer, as in Node.
    await flushMicrotasks();
    for (;;) {
      const timer = this.earliest();
      if (timer === undefined || timer.at > end) break;
      this.pending.delete(timer.id);
      this.monotonic = Math.max(this.monotonic, timer.at);
      timer.callback();
      await flushMicrotasks();
    }
    this.monotonic = end;
    await flushMicrotasks();
  }

  /** Advances until the wall clock reads `time`. */
  async advanceTo(time: Date | number | string): Promise<void> {
    await this.advance(new Date(time).getTime() - this.now());
  }

  /**
   * The event loop is blocked for `ms`: time passes with no timer firing; then every overdue timer
   * fires (late), as after a long synchronous task.
   */
  async block(ms: number): Promise<void> {
    this.monotonic += ms;
    await this.advance(0);
  }

  /** The wall clock jumps by `ms` (negative: backwards); timers, on monotonic time, do not move. */
  jump(ms: number): void {
    this.wallOffset += ms;
  }

  private earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const timer of this.pending.values()) {
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.id < best.id))
        best = timer;
    }
    return best;
  }
}

/** Lets pending promise callbacks (several levels deep) run. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
