import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHarness } from './_test/harness.js';
import { Scheduler } from './scheduler.js';
import { FakeTime } from './testing.js';
import type { JobContext } from './types.js';

describe('Scheduler: dispatching a wake', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('calls the callbacks of one wake with nothing made between them: their contexts are made ahead', async () => {
    // NOTE: no listeners (a `submitted` listener gets a Date made per run, by design).
    const time = new FakeTime({ now: '2025-01-01T00:00:00Z' });
    const scheduler = new Scheduler({ clock: time, timers: time });
    let datesMade = 0;
    const RealDate = Date;
    vi.stubGlobal(
      'Date',
      class CountingDate extends RealDate {
        constructor(...values: ConstructorParameters<DateConstructor>) {
          super(...values);
          datesMade++;
        }
      },
    );
    const madeBeforeCall: number[][] = [[], [], []];
    for (const id of ['a', 'b', 'c']) {
      scheduler.add({
        id,
        trigger: { cron: '* * * * * *' },
        run: ({ scheduledAt }) => {
          madeBeforeCall[scheduledAt.getUTCSeconds() - 1]?.push(datesMade);
        },
      });
    }
    scheduler.start();
    await time.advance(3000);
    // Every context was made ahead (the first ones by start(), the others during the wake before,
    // after its callbacks): no Date is made between the callbacks of one wake.
    const [first, second, third] = madeBeforeCall;
    for (const wake of [first, second, third]) expect(new Set(wake).size).toBe(1);
    // Each wake made the next one's three contexts (and the date math made some of its own).
    expect(second![0]! - first![0]!).toBeGreaterThanOrEqual(3);
    expect(third![0]! - second![0]!).toBeGreaterThanOrEqual(3);
    await scheduler.shutdown();
  });

  it('gives every run a context of its own, for the fire it runs, also after a block', async () => {
    const { time, scheduler } = createHarness();
    const contexts: JobContext[] = [];
    const seen: string[] = [];
    scheduler.add({
      id: 'tick',
      trigger: { cron: '* * * * * *' },
      misfireGraceTime: null,
      run: (context) => {
        contexts.push(context);
        seen.push(context.scheduledAt.toISOString().slice(17, 19));
        // A callback that changes its own context changes nothing for the next run.
        context.scheduledAt.setTime(0);
      },
    });
    scheduler.start();
    await time.advance(2000);
    // The loop is blocked past two fires: the context made ahead for 03 is not used for 04.
    await time.block(2500);
    await time.advance(1000);
    expect(seen).toEqual(['01', '02', '04', '05']);
    expect(new Set(contexts).size).toBe(4);
    await scheduler.shutdown();
  });

  it('starts every due callback before it computes any next fire time', async () => {
    const { time, scheduler } = createHarness();
    const seen: string[][] = [];
    for (const id of ['a', 'b', 'c']) {
      scheduler.add({
        id,
        trigger: { cron: '* * * * * *' },
        run: () => void seen.push(scheduler.list().map((job) => job.nextRunAt!.toISOString())),
      });
    }
    scheduler.start();
    await time.advance(1000);
    // During the wake every job still shows the fire being run; after it, the following second.
    expect(seen).toEqual(Array.from({ length: 3 }, () => Array(3).fill('2025-01-01T00:00:01.000Z')));
    expect(scheduler.list().map((job) => job.nextRunAt!.toISOString())).toEqual(
      Array(3).fill('2025-01-01T00:00:02.000Z'),
    );
  });

  it('fires 1,000 jobs sharing one expression once per second each, none lost and none twice', async () => {
    const { time, scheduler, of } = createHarness();
    const fires = new Map<string, string[]>();
    for (let index = 0; index < 1000; index++) {
      const id = `job-${index}`;
      fires.set(id, []);
      scheduler.add({
        id,
        trigger: { cron: '* * * * * *' },
        // Half the jobs are bounded: their schedules wrap the shared cron schedule.
        ...(index % 2 === 0 ? { endDate: '2025-01-01T00:00:04Z' } : {}),
        run: ({ jobId, scheduledAt }) => void fires.get(jobId)!.push(scheduledAt.toISOString()),
      });
    }
    scheduler.start();
    await time.advance(5000);
    const seconds = (n: number) => Array.from({ length: n }, (_, k) => `2025-01-01T00:00:0${k + 1}.000Z`);
    for (const [id, list] of fires) {
      expect(list, id).toEqual(Number(id.slice(4)) % 2 === 0 ? seconds(4) : seconds(5));
    }
    expect(of('removed')).toHaveLength(500);
    expect(of('submitted')).toHaveLength(4500);
    expect(of('executed')).toHaveLength(4500);
  });

  it('keeps the order of submitted and executed events of synchronous and asynchronous runs', async () => {
    const { time, scheduler, events } = createHarness();
    scheduler.add({ id: 'sync', trigger: { cron: '* * * * * *' }, run: () => undefined });
    scheduler.add({ id: 'async', trigger: { cron: '* * * * * *' }, run: async () => undefined });
    scheduler.start();
    await time.advance(1000);
    const seen = events
      .filter((event) => event.type === 'submitted' || event.type === 'executed')
      .map((event) => `${event.type} ${(event.payload as { jobId: string }).jobId}`);
    expect(seen).toEqual(['submitted sync', 'executed sync', 'submitted async', 'executed async']);
  });

  it.each(['reschedule', 'upsert', 'pause and resume'])(
    'lets a run %s its own job without putting it on the timer twice',
    async (action) => {
      const { time, scheduler } = createHarness();
      const runs: string[] = [];
      const job = {
        id: 'self',
        trigger: { cron: '* * * * * *' },
        run: ({ scheduledAt }: { scheduledAt: Date }) => {
          runs.push(scheduledAt.toISOString().slice(17, 19));
          if (action === 'reschedule') scheduler.reschedule('self', { cron: '* * * * * *' });
          else if (action === 'upsert') scheduler.upsert(job);
          else {
            scheduler.pause('self');
            scheduler.resume('self');
          }
        },
      };
      scheduler.add(job);
      scheduler.start();
      await time.advance(4000);
      expect(runs).toEqual(['01', '02', '03', '04']);
    },
  );

  it('lets a run move its own job to another schedule', async () => {
    const { time, scheduler } = createHarness();
    const runs: string[] = [];
    scheduler.add({
      id: 'self',
      trigger: { cron: '* * * * * *' },
      run: ({ scheduledAt }) => {
        runs.push(scheduledAt.toISOString().slice(17, 19));
        if (runs.length === 1) scheduler.reschedule('self', { cron: '*/5 * * * * *' });
      },
    });
    scheduler.start();
    await time.advance(11_000);
    expect(runs).toEqual(['01', '05', '10']);
  });

  it('coalesces the due fires of a sub-second interval job that has an end date', async () => {
    const { time, scheduler, of } = createHarness();
    const runs: number[] = [];
    const start = Date.parse('2025-01-01T00:00:00Z');
    scheduler.add({
      id: 'fast',
      trigger: { interval: 0.2 },
      endDate: start + 60_000,
      run: ({ scheduledAt }) => void runs.push(scheduledAt.getTime() - start),
    });
    scheduler.start();
    await time.advance(250);
    await time.block(700);
    expect(runs).toEqual([200, 800]);
    expect(of('coalesced').map((event) => event.firstScheduledAt.getTime() - start)).toEqual([400]);
  });
});
