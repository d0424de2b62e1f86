// Scenario 4: one 1 s interval job for 120 s; lateness of fire k against its target. Interval
// triggers target start + k x 1 s; libraries whose nearest equivalent is a per-second cron (croner,
// node-schedule) target whole seconds, which cannot drift by construction.
// Usage: node --expose-gc bench/scenarios/drift.mjs <library>
import { calibratedWallClock, libraryArgument, percentile, report, round, sleepUntil } from './common.mjs';

const SECONDS = Number(process.env.BENCH_DRIFT_SECONDS ?? 120);
const PERIOD_MS = 1000;

const library = libraryArgument(['hookdex', 'floor', 'setInterval', 'toad', 'node-schedule', 'croner']);
const now = calibratedWallClock();

/** Fire times, and the library's own target when it reports one. */
const fires = [];
const record = (reported) => fires.push({ at: now(), reported });

let startedAt = 0;

/** Starts the job; returns how its targets are defined. */
async function start() {
  switch (library) {
    case 'hookdex': {
      const { Scheduler } = await import('@hookdex/scheduler');
      const scheduler = new Scheduler({ jobDefaults: { misfireGraceTime: null } });
      scheduler.add({ id: 'drift', trigger: { interval: 1 }, run: ({ scheduledAt }) => record(scheduledAt) });
      startedAt = Date.now();
      scheduler.start();
      return { grid: 'start', how: '{ interval: 1 }' };
    }
    case 'floor': {
      startedAt = Date.now();
      let target = startedAt + PERIOD_MS;
      const tick = () => {
        const nowMs = Date.now();
        if (nowMs >= target) {
          record(undefined);
          target += PERIOD_MS;
        }
        setTimeout(tick, target - Date.now());
      };
      setTimeout(tick, target - Date.now());
      return { grid: 'start', how: 'setTimeout re-armed to start + k x 1 s, re-checked against Date.now()' };
    }
    case 'setInterval': {
      startedAt = Date.now();
      setInterval(() => record(undefined), PERIOD_MS);
      return { grid: 'start', how: 'setInterval(fn, 1000)' };
    }
    case 'toad': {
      const { default: toad } = await import('toad-scheduler');
      const scheduler = new toad.ToadScheduler();
      const job = new toad.SimpleIntervalJob({ seconds: 1 }, new toad.Task('drift', () => record(undefined)));
      startedAt = Date.now();
      scheduler.addSimpleIntervalJob(job);
      return { grid: 'start', how: 'SimpleIntervalJob({ seconds: 1 }) (a setInterval inside)' };
    }
    case 'node-schedule': {
      const { default: schedule } = await import('node-schedule');
      startedAt = Date.now();
      schedule.scheduleJob('drift', '*/1 * * * * *', (fireDate) => record(fireDate));
      return {
        grid: 'whole seconds',
        how: "scheduleJob('*/1 * * * * *'): node-schedule has no interval trigger; a per-second cron (or the equivalent RecurrenceRule) is its closest equivalent",
      };
    }
    case 'croner': {
      const { Cron } = await import('croner');
      startedAt = Date.now();
      globalThis.benchJob = new Cron('* * * * * *', { interval: 1 }, () => record(undefined));
      return { grid: 'whole seconds', how: "new Cron('* * * * * *', { interval: 1 })" };
    }
    default:
      throw new Error(`Unhandled library ${library}`);
  }
}

const { grid, how } = await start();
// NOTE: for whole-second grids the first expected slot is the first one after the job was created
// (creating the first job can take longer than what is left of the current second).
const readyAt = Date.now();
const endAt = startedAt + SECONDS * PERIOD_MS;
await sleepUntil(endAt + 600);

// Target of fire k: start + k x 1 s, or the whole second it was for (reported, else the nearest one).
const firstWholeSecond = Math.floor(readyAt / 1000) * 1000 + 1000;
const slots = new Map();
let reportedMismatches = 0;
for (const fire of fires) {
  let target;
  if (grid === 'start') {
    target = startedAt + Math.max(1, Math.round((fire.at - startedAt) / PERIOD_MS)) * PERIOD_MS;
  } else {
    target = fire.reported?.getTime() ?? Math.round(fire.at / 1000) * 1000;
  }
  if (fire.reported !== undefined && fire.reported.getTime() !== target) reportedMismatches++;
  if (target > endAt) continue;
  const list = slots.get(target) ?? [];
  list.push(fire.at - target);
  slots.set(target, list);
}
const expected = [];
for (
  let target = grid === 'start' ? startedAt + PERIOD_MS : firstWholeSecond;
  target <= endAt;
  target += PERIOD_MS
) {
  expected.push(target);
}
const lateness = [];
let duplicates = 0;
let misses = 0;
for (const target of expected) {
  const list = slots.get(target);
  if (list === undefined) misses++;
  else {
    duplicates += list.length - 1;
    lateness.push(...list);
  }
}
const lastTarget = [...slots.keys()].sort((a, b) => a - b).at(-1);
const sorted = [...lateness].sort((a, b) => a - b);

report({
  scenario: 'drift',
  library,
  seconds: SECONDS,
  grid,
  how,
  expectedFires: expected.length,
  fires: lateness.length,
  duplicates,
  misses,
  latenessMs: {
    first: round(slots.get(expected[0])?.[0] ?? null),
    last: round(lastTarget === undefined ? null : slots.get(lastTarget).at(-1)),
    p50: round(percentile(sorted, 0.5)),
    max: round(sorted.at(-1) ?? null),
    min: round(sorted[0] ?? null),
  },
  lastFireIndex: lastTarget === undefined ? null : Math.round((lastTarget - startedAt) / PERIOD_MS),
  reportedMismatches,
  clockSkewMs: round(now.skew(), 3),
});
