import { describe, expect, it } from 'vitest';
import type { TimerSource } from './clock.js';
import { Scheduler } from './scheduler.js';
import { FakeTime } from './testing.js';

/** Fake time with `setImmediate`, which the scheduler uses for the last milliseconds before a fire. */
function preciseFakeTime() {
  const time = new FakeTime({ now: '2025-01-01T00:00:00Z' });
  const immediates: number[] = [];
  const timers: TimerSource = {
    setTimeout: (callback, delayMs) => time.setTimeout(callback, delayMs),
    clearTimeout: (handle) => time.clearTimeout(handle),
    // NOTE: a turn of the event loop takes no fake time; 1 ms (FakeTime's floor) stands for it.
    setImmediate: (callback) => {
      immediates.push(time.now());
      return time.setTimeout(callback, 1);
    },
    clearImmediate: (handle) => time.clearTimeout(handle),
  };
  return { time, timers, immediates };
}

describe('Scheduler: the timer with setImmediate', () => {
  it('aims a long sleep 20 ms early, then sleeps short, then checks each turn, and fires on time', async () => {
    const { time, timers, immediates } = preciseFakeTime();
    const scheduler = new Scheduler({ clock: time, timers });
    const fires: number[] = [];
    const start = time.now();
    scheduler.add({
      id: 'tick',
      trigger: { cron: '* * * * * *' },
      run: () => void fires.push(time.now() - start),
    });
    scheduler.start();
    await time.advance(2000);
    expect(fires).toEqual([1000, 2000]);
    // 980 ms (20 early), then 18 ms (2 early), then two turns of the loop; the same for the next second.
    expect(time.requestedDelays).toEqual([980, 18, 1, 1, 980, 18, 1, 1, 980]);
    expect(immediates.map((at) => at - start)).toEqual([998, 999, 1998, 1999]);
    await scheduler.shutdown();
  });

  it('sleeps short without the long lead when the fire is near, and never past maxSleepMs', async () => {
    const { time, timers } = preciseFakeTime();
    const scheduler = new Scheduler({ clock: time, timers, maxSleepMs: 30_000 });
    const start = time.now();
    const fires: number[] = [];
    scheduler.add({
      id: 'soon',
      trigger: { date: start + 40 },
      run: () => void fires.push(time.now() - start),
    });
    scheduler.add({
      id: 'later',
      trigger: { date: start + 70_000 },
      run: () => void fires.push(time.now() - start),
    });
    scheduler.start();
    await time.advance(80_000);
    expect(fires).toEqual([40, 70_000]);
    expect(time.requestedDelays.slice(0, 3)).toEqual([38, 1, 1]);
    expect(Math.max(...time.requestedDelays)).toBe(30_000);
    await scheduler.shutdown();
  });
});
