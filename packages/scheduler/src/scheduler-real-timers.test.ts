import { describe, expect, it } from 'vitest';
import { systemTimers } from './clock.js';
import { Scheduler } from './scheduler.js';

// A few smoke tests on Node's real timers and clock; everything else runs on fake time.
describe('Scheduler on real timers', () => {
  it('fires a per-second cron job and a 100 ms interval job on time, then shuts down', async () => {
    const scheduler = new Scheduler();
    const cronLateness: number[] = [];
    let intervalFires = 0;
    scheduler.add({
      id: 'cron',
      trigger: { cron: '* * * * * *' },
      run: ({ scheduledAt }) => void cronLateness.push(Date.now() - scheduledAt.getTime()),
    });
    scheduler.add({ id: 'interval', trigger: { interval: 0.1 }, run: () => void intervalFires++ });
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 1150));
    expect(await scheduler.shutdown()).toEqual({ timedOut: false, pending: 0 });
    expect(cronLateness.length).toBeGreaterThanOrEqual(1);
    for (const late of cronLateness) {
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(200);
    }
    expect(intervalFires).toBeGreaterThanOrEqual(9);
    expect(intervalFires).toBeLessThanOrEqual(12);
  });

  it('waits the last milliseconds before a fire in place, never early, and bounded when the clock stands still', async () => {
    const immediates = { count: 0 };
    const timers = {
      ...systemTimers,
      setImmediate: (callback: () => void) => {
        immediates.count++;
        return systemTimers.setImmediate!(callback);
      },
    };
    const scheduler = new Scheduler({ timers });
    const fired: number[] = [];
    const at = Date.now() + 30;
    scheduler.add({ id: 'once', trigger: { date: at }, run: () => void fired.push(Date.now()) });
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await scheduler.shutdown();
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(at);

    // A clock that never reaches the fire: each wake waits at most the remaining time plus 1 ms on
    // the monotonic clock, then yields to the event loop (this test's timer still runs).
    const frozen = Date.now();
    const stuck = new Scheduler({ timers, clock: { now: () => frozen } });
    stuck.add({ id: 'never', trigger: { date: frozen + 1 }, run: () => void fired.push(0) });
    stuck.start();
    const before = immediates.count;
    await new Promise((resolve) => setTimeout(resolve, 30));
    await stuck.shutdown();
    expect(fired).toHaveLength(1);
    expect(immediates.count - before).toBeGreaterThan(0);
  });

  it('arms far-future jobs without a TimeoutOverflowWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const scheduler = new Scheduler({ unref: true });
      scheduler.add({ id: 'yearly', trigger: { cron: '@yearly' }, run: () => {} });
      scheduler.add({ id: 'far-date', trigger: { date: Date.now() + 60 * 86_400_000 }, run: () => {} });
      scheduler.add({ id: 'monthly', trigger: { interval: 30 * 86_400 }, run: () => {} });
      scheduler.start();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await scheduler.shutdown();
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((warning) => warning.name === 'TimeoutOverflowWarning')).toEqual([]);
  });

  it('aborts a daemon on shutdown and waits for it to clean up', async () => {
    const scheduler = new Scheduler();
    const log: string[] = [];
    scheduler.add({
      id: 'daemon',
      trigger: { daemon: true },
      run: async ({ signal }) => {
        log.push('started');
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        await new Promise((resolve) => setTimeout(resolve, 20));
        log.push('cleaned up');
      },
    });
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await scheduler.shutdown();
    expect(log).toEqual(['started', 'cleaned up']);
  });
});
