// Scenario 2: 10,000 idle yearly jobs (`0 0 0 1 1 *`): creation time, heap per job (full GC before
// and after, heapUsed delta / 10,000), RSS growth, and CPU while idle.
// Usage: node --expose-gc --no-memory-reducer bench/scenarios/idle.mjs <library>
//
// What the idle window measures: the CPU the library's own timers and bookkeeping take while none
// of its 10,000 jobs is due, from SETTLE_MS after the jobs were created, for IDLE_SECONDS, together
// with the garbage collections that its own allocation while idle causes. It does not hold V8's
// memory reducer: after a full GC that followed heap growth, V8 shrinks the heap with incremental
// marking and one to three more full GCs, starting 8 s later and postponing itself by another 8 s
// each time the allocation rate is not yet low. That one-off shrinking of what creating the jobs
// left behind ran 16-25 s after creation in some runs, i.e. inside the window, for whichever
// library had allocated (ours: 0.21 % instead of 0.001 %); with a shorter start delay it ran before
// the window for ours but kept running inside it for the libraries that allocate while idle. The
// children therefore run with V8's memory reducer off (the same flag for every library); the full
// GCs that fall inside the window are counted (majorGcsInWindow) and are the libraries' own.
import { PerformanceObserver, constants as performanceConstants } from 'node:perf_hooks';
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
// NOTE: the idle window starts this long after creation; what creating the jobs still costs after
// it returned (its garbage, compiled code) is reported on its own (settleCpu*), not as idle cost.
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

// Full GCs (mark-compact, and incremental marking steps), to count those inside the idle window.
const majorGcs = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = entry.detail?.kind;
    if (
      kind === performanceConstants.NODE_PERFORMANCE_GC_MAJOR ||
      kind === performanceConstants.NODE_PERFORMANCE_GC_INCREMENTAL
    ) {
      majorGcs.push({ startTime: entry.startTime, duration: entry.duration });
    }
  }
}).observe({ entryTypes: ['gc'] });

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
const windowGcs = majorGcs.filter(
  (entry) => entry.startTime >= wallStart && entry.startTime < wallStart + wallMs,
);

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
  majorGcsInWindow: windowGcs.length,
  majorGcMsInWindow: round(
    windowGcs.reduce((sum, entry) => sum + entry.duration, 0),
    2,
  ),
  // run.mjs starts the child with --no-memory-reducer (see the header).
  memoryReducer: !process.execArgv.includes('--no-memory-reducer'),
});
