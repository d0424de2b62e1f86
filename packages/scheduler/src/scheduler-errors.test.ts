import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness } from './_test/harness.js';
import { SchedulerError } from './errors.js';
import { Scheduler } from './scheduler.js';
import type { JobDefinition, SchedulerOptions } from './types.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  vi.restoreAllMocks();
});

describe('Scheduler: job failures', () => {
  const failures: Array<[string, JobDefinition['run'], string]> = [
    [
      'a synchronous throw',
      () => {
        throw new Error('sync boom');
      },
      'sync boom',
    ],
    ['a rejected promise', () => Promise.reject(new Error('async boom')), 'async boom'],
    ['a thrown string', () => Promise.reject('plain string'), 'Non-error value thrown: "plain string"'],
    [
      'a rejecting thenable',
      () => ({
        // biome-ignore lint/suspicious/noThenProperty: a bare thenable is what this case is about.
        then: (_resolve: unknown, reject: (error: unknown) => void) => reject(new Error('thenable boom')),
      }),
      'thenable boom',
    ],
  ];

  it.each(failures)(
    'reports %s as an error event and keeps the schedule with onError continue',
    async (_, run, message) => {
      const { time, scheduler, of } = createHarness();
      scheduler.add({ id: 'bad', onError: 'continue', trigger: { interval: 1 }, run });
      scheduler.start();
      await time.advance(3000);
      const errors = of('error');
      expect(errors.length).toBe(3);
      expect(errors.every((event) => event.error instanceof Error && event.error.message === message)).toBe(
        true,
      );
      expect(errors.every((event) => !event.fatal)).toBe(true);
      expect(scheduler.running).toBe(true);
      expect(unhandled).toEqual([]);
    },
  );

  it.each(failures)(
    'stops the scheduler on %s by default (onError stop, as DipDup)',
    async (_, run, message) => {
      const { time, scheduler, of } = createHarness();
      let otherRuns = 0;
      scheduler.add({ id: 'bad', trigger: { interval: 1 }, run });
      scheduler.add({ id: 'good', trigger: { interval: 0.5 }, run: () => void otherRuns++ });
      scheduler.start();
      await time.advance(5000);
      expect(of('error').map((event) => [event.jobId, event.fatal, event.error.message])).toEqual([
        ['bad', true, message],
      ]);
      expect(of('stopped').length).toBe(1);
      expect(scheduler.error).toBeInstanceOf(SchedulerError);
      expect(scheduler.error!.code).toBe('JOB_FAILED');
      expect((scheduler.error!.cause as Error).message).toBe(message);
      // The other job ran at 0.5 s, and at 1 s too unless the failure came first in that wake; never after.
      expect([1, 2]).toContain(otherRuns);
      const runsAtStop = otherRuns;
      await time.advance(5000);
      expect(otherRuns).toBe(runsAtStop);
      expect(unhandled).toEqual([]);
    },
  );

  it('accepts synchronous callbacks and ignores their return value', async () => {
    const { time, scheduler, of } = createHarness();
    scheduler.add({ id: 'sync', trigger: { interval: 1 }, run: () => 42 });
    scheduler.start();
    await time.advance(2000);
    expect(of('executed').length).toBe(2);
    expect(of('error')).toEqual([]);
  });

  it('reports a daemon that throws, keeping the thrown error as cause', async () => {
    const { time, scheduler, of } = createHarness();
    scheduler.add({
      id: 'daemon',
      trigger: { daemon: true },
      run: async () => {
        throw new TypeError('daemon boom');
      },
    });
    scheduler.start();
    await time.advance(0);
    const [event] = of('error');
    expect(event!.error.message).toBe('Daemon job "daemon" threw: daemon jobs are intended to run forever.');
    expect((event!.error as SchedulerError).code).toBe('DAEMON_EXITED');
    expect((event!.error.cause as Error).message).toBe('daemon boom');
  });

  it('does not report a run that rejects because its signal was aborted', async () => {
    const { time, scheduler, of } = createHarness();
    scheduler.add({
      id: 'cooperative',
      trigger: { interval: 1 },
      run: ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    scheduler.start();
    await time.advance(1000);
    const stopping = scheduler.shutdown({ timeoutMs: 10 });
    await time.advance(10);
    expect(await stopping).toEqual({ timedOut: true, pending: 0 });
    expect(of('error')).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it('writes errors to console.error when nothing listens, and survives throwing listeners', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { FakeTime } = await import('./testing.js');
    const time = new FakeTime();
    const scheduler = new Scheduler({ clock: time, timers: time, jobDefaults: { onError: 'continue' } });
    scheduler.on('executed', () => {
      throw new Error('listener boom');
    });
    scheduler.add({ id: 'ok', trigger: { interval: 1 }, run: () => {} });
    scheduler.add({
      id: 'bad',
      trigger: { interval: 1 },
      run: () => {
        throw new Error('job boom');
      },
    });
    scheduler.start();
    await time.advance(2000);
    const messages = consoleError.mock.calls.map((call) => String(call[0]));
    expect(messages.filter((message) => message.includes('A listener of "executed" threw')).length).toBe(2);
    expect(messages.filter((message) => message.includes('Job "bad" failed')).length).toBe(2);
    expect(scheduler.running).toBe(true);
    expect(unhandled).toEqual([]);
  });
});

describe('Scheduler: invalid input', () => {
  const run = () => {};
  const cases: Array<[string, unknown, string, string]> = [
    ['a non-object job', 42, 'INVALID_OPTION', 'Expected a job object, found number.'],
    [
      'a missing id',
      { trigger: { interval: 1 }, run },
      'INVALID_OPTION',
      'Expected job.id to be a non-empty string',
    ],
    [
      'an empty id',
      { id: '', trigger: { interval: 1 }, run },
      'INVALID_OPTION',
      'non-empty string, found string',
    ],
    [
      'run not a function',
      { id: 'j', trigger: { interval: 1 }, run: 'x' },
      'INVALID_OPTION',
      'expected run to be a function',
    ],
    [
      'a misspelt option',
      { id: 'j', trigger: { interval: 1 }, run, maxInstance: 2 },
      'INVALID_OPTION',
      'unknown option "maxInstance" (did you mean "maxInstances"?)',
    ],
    ['no trigger', { id: 'j', run }, 'INVALID_TRIGGER', 'expected trigger to be { cron }'],
    [
      'an empty trigger',
      { id: 'j', trigger: {}, run },
      'INVALID_TRIGGER',
      'exactly one of cron, interval, date or daemon, found none',
    ],
    [
      'two triggers',
      { id: 'j', trigger: { cron: '* * * * *', interval: 1 }, run },
      'INVALID_TRIGGER',
      'found cron and interval',
    ],
    [
      'an unknown trigger key',
      { id: 'j', trigger: { interval: 1, every: 2 }, run },
      'INVALID_TRIGGER',
      'unknown option "every"',
    ],
    [
      'a non-string cron',
      { id: 'j', trigger: { cron: 5 }, run },
      'INVALID_TRIGGER',
      'expected trigger.cron to be a string',
    ],
    [
      'a bad cron field',
      { id: 'j', trigger: { cron: '0 25 * * *' }, run },
      'INVALID_CRON',
      'the hour field "25" is invalid',
    ],
    [
      'a zero interval',
      { id: 'j', trigger: { interval: 0 }, run },
      'INVALID_TRIGGER',
      'seconds >= 0.001, found 0',
    ],
    ['a NaN interval', { id: 'j', trigger: { interval: Number.NaN }, run }, 'INVALID_TRIGGER', 'found NaN'],
    ['a string interval', { id: 'j', trigger: { interval: '5' }, run }, 'INVALID_TRIGGER', 'found "5"'],
    ['an invalid date', { id: 'j', trigger: { date: 'soon' }, run }, 'INVALID_TRIGGER', 'found "soon"'],
    [
      'daemon: false',
      { id: 'j', trigger: { daemon: false }, run },
      'INVALID_TRIGGER',
      'expected trigger.daemon to be true',
    ],
    [
      'a bad coalesce',
      { id: 'j', trigger: { interval: 1 }, run, coalesce: 'first' },
      'INVALID_OPTION',
      'expected coalesce to be true, false',
    ],
    [
      'maxInstances 0',
      { id: 'j', trigger: { interval: 1 }, run, maxInstances: 0 },
      'INVALID_OPTION',
      'an integer >= 1, found 0',
    ],
    [
      'maxInstances 1.5',
      { id: 'j', trigger: { interval: 1 }, run, maxInstances: 1.5 },
      'INVALID_OPTION',
      'found 1.5',
    ],
    [
      'a negative grace',
      { id: 'j', trigger: { interval: 1 }, run, misfireGraceTime: -1 },
      'INVALID_OPTION',
      'misfireGraceTime',
    ],
    [
      'a negative jitter',
      { id: 'j', trigger: { interval: 1 }, run, jitter: -1 },
      'INVALID_OPTION',
      'expected jitter to be',
    ],
    [
      'an unknown time zone',
      { id: 'j', trigger: { cron: '@daily' }, run, timezone: 'Mars/Olympus' },
      'INVALID_TIMEZONE',
      'Unknown time zone "Mars/Olympus"',
    ],
    [
      'an unknown trigger time zone',
      { id: 'j', trigger: { cron: '@daily', timezone: 'Nowhere' }, run },
      'INVALID_TIMEZONE',
      'trigger.timezone',
    ],
    [
      'an invalid startDate',
      { id: 'j', trigger: { interval: 1 }, run, startDate: 'x' },
      'INVALID_OPTION',
      'startDate: expected a Date',
    ],
    [
      'endDate before startDate',
      { id: 'j', trigger: { interval: 1 }, run, startDate: '2025-02-01', endDate: '2025-01-01' },
      'INVALID_OPTION',
      'endDate (2025-01-01T00:00:00.000Z) is before startDate',
    ],
    [
      'a bad onError',
      { id: 'j', trigger: { interval: 1 }, run, onError: 'log' },
      'INVALID_OPTION',
      'expected onError to be "stop" or "continue"',
    ],
  ];

  it.each(cases)('rejects %s at add()', (_, job, code, message) => {
    const scheduler = new Scheduler();
    let caught: unknown;
    try {
      scheduler.add(job as JobDefinition);
    } catch (error) {
      caught = error;
    }
    expect(SchedulerError.is(caught)).toBe(true);
    expect((caught as SchedulerError).code).toBe(code);
    expect((caught as SchedulerError).message).toContain(message);
    expect(scheduler.list()).toEqual([]);
  });

  const options: Array<[string, unknown, string]> = [
    ['maxSleepMs 0', { maxSleepMs: 0 }, 'Expected maxSleepMs to be between 1 and 60000, found 0.'],
    ['maxSleepMs above 60 s', { maxSleepMs: 70_000 }, 'found 70000'],
    ['an unknown default', { jobDefaults: { misfire: 1 } }, 'JobDefaults: unknown option "misfire"'],
    ['a bad default', { jobDefaults: { maxInstances: -1 } }, 'JobDefaults: expected maxInstances'],
    ['an unknown zone', { timezone: 'Atlantis/Central' }, 'Unknown time zone "Atlantis/Central"'],
  ];

  it.each(options)('rejects scheduler options with %s', (_, value, message) => {
    expect(() => new Scheduler(value as SchedulerOptions)).toThrow(message);
  });

  it('names the job in errors of calls on unknown ids and other misuse', async () => {
    const scheduler = new Scheduler();
    for (const call of [
      () => scheduler.remove('ghost'),
      () => scheduler.pause('ghost'),
      () => scheduler.resume('ghost'),
      () => scheduler.reschedule('ghost', { interval: 1 }),
      () => scheduler.runNow('ghost'),
    ]) {
      expect(call).toThrow('No job with id "ghost".');
    }
    scheduler.add({ id: 'daemon', trigger: { daemon: true }, run: () => new Promise(() => {}) });
    scheduler.add({ id: 'tick', trigger: { interval: 1 }, run });
    expect(() => scheduler.runNow('daemon')).toThrow(
      'Job "daemon" is a daemon: it starts with the scheduler.',
    );
    expect(() => scheduler.reschedule('daemon', { interval: 1 })).toThrow('a daemon cannot be rescheduled');
    expect(() => scheduler.reschedule('tick', { daemon: true })).toThrow('a daemon cannot be rescheduled');
    expect(() => scheduler.reschedule('tick', { cron: 'nope' })).toThrow('expected 5 fields');
    expect(scheduler.get('tick')!.kind).toBe('interval');
    scheduler.pause('tick');
    expect(() => scheduler.resume('tick', { from: 'yesterday' })).toThrow('Resume from: expected a Date');
    await expect(scheduler.shutdown({ timeoutMs: -1 })).rejects.toThrow(
      'Expected timeoutMs to be a number >= 0',
    );
  });
});
