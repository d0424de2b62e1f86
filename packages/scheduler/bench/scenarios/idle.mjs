// Scenario 2: 10,000 idle yearly jobs (`0 0 0 1 1 *`): creation time, heap per job (full GC before
// and after, heapUsed delta / 10,000), RSS growth, and CPU while idle.
// Usage: node --expose-gc bench/scenarios/idle.mjs <library>
import {
  collectGarbage,
  cpuMillisecondsSince,
  libraryArgument,
  report,
  round,
  sleepUntil,
} from './common.mjs';

const JOBS = 10_000;
const PATTERN = '0 0 0 1 1 *';
// NOTE: 35 s covers croner's and toad's 30 s per-job re-arm.
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 35);
// NOTE: the idle window starts this long after creation: V8's memory reducer runs one or two full
// GCs some 8 s after a burst of allocation to shrink the heap. That one-off cost of creating the jobs
// is reported on its own (settleCpu*), not as idle cost.
const SETTLE_MS = Number(process.env.BENCH_IDLE_SETTLE_MS ?? 12_000);
// NOTE: setTimeout's own limit; the floor sleeps as long as Node allows, then re-checks.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const library = libraryArgument(['hookdex', 'floor', 'croner', 'node-cron', 'node-schedule', 'toad']);
const noop = () => {};

/** Loads the library (before the heap baseline, so module code is not counted). */
async function load() {
  switch (library) {
    case 'hookdex':
      return import('@hookdex/scheduler');
    case 'croner':
      return import('croner');
    case 'node-cron':
      return (await import('node-cron')).default;
    case 'node-schedule':
      return (await import('node-schedule')).default;
    case 'toad':
      return (await import('toad-scheduler')).default;
    case 'floor':
      return {};
    default:
      throw new Error(`Unhandled library ${library}`);
  }
}

/** Creates and starts JOBS yearly jobs; returns what keeps them reachable. */
function create(module) {
  switch (library) {
    case 'hookdex': {
      const scheduler = new module.Scheduler();
      for (let job = 0; job < JOBS; job++) {
        scheduler.add({ id: `job-${job}`, trigger: { cron: PATTERN }, run: noop });
      }
      scheduler.start();
      return scheduler;
    }
    case 'floor': {
      // One setTimeout per job towards next 1 January, 00:00:00 UTC, re-checked against Date.now().
      const jobs = [];
      for (let job = 0; job < JOBS; job++) {
        const state = { target: nextNewYear(Date.now()), timer: undefined };
        const tick = () => {
          const nowMs = Date.now();
          if (nowMs >= state.target) {
            noop();
            state.target = nextNewYear(nowMs);
          }
          state.timer = setTimeout(tick, Math.min(MAX_TIMEOUT_MS, state.target - Date.now()));
        };
        state.timer = setTimeout(tick, Math.min(MAX_TIMEOUT_MS, state.target - Date.now()));
        jobs.push(state);
      }
      return jobs;
    }
    case 'croner':
      return Array.from({ length: JOBS }, () => new module.Cron(PATTERN, noop));
    case 'node-cron':
      return Array.from({ length: JOBS }, (_, job) => module.schedule(PATTERN, noop, { name: `job-${job}` }));
    case 'node-schedule':
      return Array.from({ length: JOBS }, (_, job) => module.scheduleJob(`job-${job}`, PATTERN, noop));
    case 'toad': {
      const scheduler = new module.ToadScheduler();
      for (let job = 0; job < JOBS; job++) {
        const task = new module.Task(`job-${job}`, noop);
        scheduler.addCronJob(new module.CronJob({ cronExpression: PATTERN }, task, { id: `job-${job}` }));
      }
      return scheduler;
    }
    default:
      throw new Error(`Unhandled library ${library}`);
  }
}

function nextNewYear(nowMs) {
  return Date.UTC(new Date(nowMs).getUTCFullYear() + 1, 0, 1);
}

const module = await load();
collectGarbage();
const before = process.memoryUsage();
const createStarted = performance.now();
globalThis.benchJobs = create(module);
const createMs = performance.now() - createStarted;
collectGarbage();
const after = process.memoryUsage();

const settleCpuStart = process.cpuUsage();
const settleStart = performance.now();
await sleepUntil(Date.now() + SETTLE_MS);
const settleCpuMs = cpuMillisecondsSince(settleCpuStart);
const settleWallMs = performance.now() - settleStart;
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
await sleepUntil(Date.now() + IDLE_SECONDS * 1000);
const idleCpuMs = cpuMillisecondsSince(cpuStart);
const wallMs = performance.now() - wallStart;

report({
  scenario: 'idle',
  library,
  jobs: JOBS,
  createMs: round(createMs, 1),
  heapPerJobBytes: round((after.heapUsed - before.heapUsed) / JOBS, 0),
  rssGrowthMB: round((after.rss - before.rss) / 2 ** 20, 1),
  idleCpuPercent: round((idleCpuMs / wallMs) * 100, 4),
  idleCpuMs: round(idleCpuMs, 2),
  settleCpuPercent: round((settleCpuMs / settleWallMs) * 100, 4),
  settleSeconds: round(settleWallMs / 1000, 2),
  idleSeconds: round(wallMs / 1000, 2),
  windowStartsAfterCreationMs: round(wallStart - createStarted, 0),
});
