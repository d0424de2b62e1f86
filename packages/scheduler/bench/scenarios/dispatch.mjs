// Scenario 1: 1,000 jobs firing every second (`* * * * * *`) for 10 s.
// Lateness = fire time minus the whole-second target; duplicates = a (job, slot) fired twice;
// misses = a (job, slot) in the window that never fired; CPU = process.cpuUsage over the window.
// Usage: node --expose-gc bench/scenarios/dispatch.mjs <library>
import {
  calibratedWallClock,
  collectGarbage,
  cpuMillisecondsSince,
  libraryArgument,
  percentile,
  report,
  round,
  sleepUntil,
} from './common.mjs';

const JOBS = 1000;
const WINDOW_SECONDS = 10;
// NOTE: during the first fires V8 still compiles each library's dispatch code, on a background
// thread that competes for the same two cores (the raw results' perSlot showed our first two bursts
// 3-6 ms late and the rest under 1.5 ms); the same 3 s of warm-up for every library measures the
// steady state. BENCH_WARMUP_SECONDS changes it for investigations.
const WARM_UP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
// NOTE: late fires of slots in the window are collected after it until every expected fire has come,
// for at most this long (node-schedule runs seconds behind at this load).
const COLLECT_AFTER_MS = 5000;
// NOTE: croner and toad do not tell a callback which slot it is for; their slot is inferred as the
// whole second at or before the fire time (allowing this much earliness), i.e. lateness < 980 ms.
const EARLY_TOLERANCE_MS = 20;
const PATTERN = '* * * * * *';

const library = libraryArgument(['hookdex', 'floor', 'croner', 'node-cron', 'node-schedule', 'toad']);
const now = calibratedWallClock();

const capacity = JOBS * (WINDOW_SECONDS + 10);
const fireJob = new Int32Array(capacity);
const fireAt = new Float64Array(capacity);
const fireSlot = new Float64Array(capacity);
let fireCount = 0;
let overflow = 0;

/** Called from every job callback: `slot` is the library's own target, or undefined to infer it. */
function record(job, slot) {
  const at = now();
  if (fireCount === capacity) {
    overflow++;
    return;
  }
  fireJob[fireCount] = job;
  fireAt[fireCount] = at;
  fireSlot[fireCount] = slot ?? Math.floor((at + EARLY_TOLERANCE_MS) / 1000) * 1000;
  fireCount++;
}

const diagnostics = {};

/** Creates and starts the jobs; returns how the slot of a fire is known. */
async function setUp() {
  switch (library) {
    case 'hookdex': {
      const { Scheduler } = await import('@hookdex/scheduler');
      const scheduler = new Scheduler({ jobDefaults: { misfireGraceTime: null } });
      for (const event of ['missed', 'skipped', 'coalesced', 'error']) {
        diagnostics[event] = 0;
        scheduler.on(event, () => diagnostics[event]++);
      }
      for (let job = 0; job < JOBS; job++) {
        scheduler.add({
          id: `job-${job}`,
          trigger: { cron: PATTERN },
          run: ({ scheduledAt }) => record(job, scheduledAt.getTime()),
        });
      }
      scheduler.start();
      return 'reported (JobContext.scheduledAt)';
    }
    case 'floor': {
      // One setTimeout per job, re-armed to an absolute whole-second target, re-checked on wake.
      for (let job = 0; job < JOBS; job++) {
        let target = Math.floor(Date.now() / 1000) * 1000 + 1000;
        const tick = () => {
          const nowMs = Date.now();
          if (nowMs < target) {
            setTimeout(tick, target - nowMs);
            return;
          }
          record(job, target);
          target += 1000;
          setTimeout(tick, target - Date.now());
        };
        setTimeout(tick, target - Date.now());
      }
      return 'known (the floor arms its own targets)';
    }
    case 'croner': {
      const { Cron } = await import('croner');
      globalThis.benchJobs = Array.from({ length: JOBS }, (_, job) => new Cron(PATTERN, () => record(job)));
      return 'inferred from the fire time';
    }
    case 'node-cron': {
      const { default: cron } = await import('node-cron');
      diagnostics.missed = 0;
      for (let job = 0; job < JOBS; job++) {
        const task = cron.schedule(PATTERN, (context) => record(job, context.date.getTime()), {
          name: `job-${job}`,
        });
        // Listening also keeps node-cron from logging a warning per missed execution.
        task.on('execution:missed', () => diagnostics.missed++);
      }
      return 'reported (TaskContext.date)';
    }
    case 'node-schedule': {
      const { default: schedule } = await import('node-schedule');
      for (let job = 0; job < JOBS; job++) {
        schedule.scheduleJob(`job-${job}`, PATTERN, (fireDate) => record(job, fireDate.getTime()));
      }
      return 'reported (fireDate argument)';
    }
    case 'toad': {
      const { default: toad } = await import('toad-scheduler');
      const scheduler = new toad.ToadScheduler();
      for (let job = 0; job < JOBS; job++) {
        const task = new toad.Task(`job-${job}`, () => record(job));
        scheduler.addCronJob(new toad.CronJob({ cronExpression: PATTERN }, task, { id: `job-${job}` }));
      }
      return 'inferred from the fire time';
    }
    default:
      throw new Error(`Unhandled library ${library}`);
  }
}

const createStarted = performance.now();
const slotSource = await setUp();
const createMs = performance.now() - createStarted;
const startedAt = Date.now();
collectGarbage();

// The first slot after start is warm-up; the window holds the next WINDOW_SECONDS whole seconds.
const windowStart = Math.ceil(startedAt / 1000) * 1000 + WARM_UP_SECONDS * 1000;
const windowEnd = windowStart + WINDOW_SECONDS * 1000;

// CPU over exactly WINDOW_SECONDS, from half a second before the first slot: it holds one burst per slot.
await sleepUntil(windowStart - 500);
const cpuStart = process.cpuUsage();
const wallStart = now();
await sleepUntil(windowEnd - 500);
const cpuMs = cpuMillisecondsSince(cpuStart);
const wallMs = now() - wallStart;
await sleepUntil(windowEnd);
for (let waited = 0; waited < COLLECT_AFTER_MS; waited += 250) {
  await sleepUntil(Date.now() + 250);
  if (firesInWindow() >= JOBS * WINDOW_SECONDS) break;
}

function firesInWindow() {
  let count = 0;
  for (let index = 0; index < fireCount; index++) {
    if (fireSlot[index] >= windowStart && fireSlot[index] < windowEnd) count++;
  }
  return count;
}

const perJobSlot = new Uint16Array(JOBS * WINDOW_SECONDS);
const lateness = [];
let outside = 0;
let early = 0;
for (let index = 0; index < fireCount; index++) {
  const slot = fireSlot[index];
  if (slot < windowStart || slot >= windowEnd) {
    outside++;
    continue;
  }
  const slotIndex = Math.round((slot - windowStart) / 1000);
  perJobSlot[fireJob[index] * WINDOW_SECONDS + slotIndex]++;
  const late = fireAt[index] - slot;
  if (late < 0) early++;
  lateness.push(late);
}
let duplicates = 0;
let misses = 0;
for (const count of perJobSlot) {
  if (count === 0) misses++;
  else duplicates += count - 1;
}
lateness.sort((a, b) => a - b);

/** Lateness of the first and last fire of each slot: shows warm-up and stalls inside one burst. */
function perSlotSummary() {
  const slots = Array.from({ length: WINDOW_SECONDS }, () => ({ first: Infinity, last: -Infinity }));
  for (let index = 0; index < fireCount; index++) {
    const slot = fireSlot[index];
    if (slot < windowStart || slot >= windowEnd) continue;
    const entry = slots[Math.round((slot - windowStart) / 1000)];
    entry.first = Math.min(entry.first, fireAt[index] - slot);
    entry.last = Math.max(entry.last, fireAt[index] - slot);
  }
  return slots.map((entry) => `${round(entry.first, 1)}-${round(entry.last, 1)}`).join(' ');
}

report({
  scenario: 'dispatch',
  library,
  jobs: JOBS,
  slots: WINDOW_SECONDS,
  expectedFires: JOBS * WINDOW_SECONDS,
  fires: lateness.length,
  latenessMs: {
    p50: round(percentile(lateness, 0.5)),
    p99: round(percentile(lateness, 0.99)),
    max: round(lateness.at(-1) ?? null),
    min: round(lateness[0] ?? null),
  },
  early,
  duplicates,
  misses,
  cpuPercent: round((cpuMs / wallMs) * 100, 3),
  createMs: round(createMs, 1),
  slotSource,
  warmUpSeconds: WARM_UP_SECONDS,
  perSlot: perSlotSummary(),
  firesOutsideWindow: outside,
  overflow,
  clockSkewMs: round(now.skew(), 3),
  diagnostics,
});
