import type { SchedulerEventName, SchedulerEvents } from '../events.js';
import { Scheduler } from '../scheduler.js';
import { FakeTime } from '../testing.js';
import type { SchedulerOptions } from '../types.js';

/** A scheduler on fake time that records every event. */
export function createHarness(options: SchedulerOptions & { start?: string; earlyWakeMs?: number } = {}) {
  const { start, earlyWakeMs, ...schedulerOptions } = options;
  const time = new FakeTime({ now: start ?? '2025-01-01T00:00:00Z', earlyWakeMs });
  const scheduler = new Scheduler({ clock: time, timers: time, ...schedulerOptions });
  const events: Array<{ type: SchedulerEventName; payload: SchedulerEvents[SchedulerEventName] }> = [];
  const names: SchedulerEventName[] = [
    'added',
    'removed',
    'submitted',
    'executed',
    'error',
    'missed',
    'skipped',
    'coalesced',
    'stopped',
  ];
  for (const name of names) scheduler.on(name, (payload) => events.push({ type: name, payload }));
  const of = <E extends SchedulerEventName>(type: E): Array<SchedulerEvents[E]> =>
    events.filter((event) => event.type === type).map((event) => event.payload as SchedulerEvents[E]);
  return { time, scheduler, events, of };
}

/** ISO strings of dates, for readable assertions. */
export const iso = (dates: Array<Date | number>): string[] =>
  dates.map((date) => new Date(date).toISOString());
