/** Wall-clock time in epoch milliseconds. Cron and date targets are computed against it. */
export interface Clock {
  now(): number;
}

/** A cancellable timer handle; `unref` is optional so fake timers need not implement it. */
export interface TimerHandle {
  unref?(): unknown;
}

/** Where the scheduler gets its single timer from. Node's timers by default, fake ones in tests. */
export interface TimerSource {
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /**
   * Optional: run `callback` after pending I/O, without a timer's millisecond granularity. The
   * scheduler uses it for the last 2 ms before a fire instead of a 1 ms timer (which libuv fires
   * up to 2 ms late); without it, it waits with `setTimeout`.
   */
  setImmediate?(callback: () => void): TimerHandle;
  clearImmediate?(handle: TimerHandle): void;
}

/** `Date.now()`. */
export const systemClock: Clock = { now: () => Date.now() };

/** Node's `setTimeout` / `clearTimeout`. */
export const systemTimers: TimerSource = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  setImmediate: (callback) => setImmediate(callback),
  clearImmediate: (handle) => clearImmediate(handle as ReturnType<typeof setImmediate>),
};
