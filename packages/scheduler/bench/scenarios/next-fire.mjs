// Scenario 3: cost of computing next fire times, in UTC: µs per next fire time, measured as the time
// to compute N successive next times divided by N (N per pattern, see COUNTS); median of 5
// repetitions after warm-up.
// Usage: node --expose-gc bench/scenarios/next-fire.mjs <library>
import { createRequire } from 'node:module';
import { libraryArgument, report, round } from './common.mjs';

// NOTE: successive next times per measured call: 1,000, or 100 for the sparse patterns, where one call
// already spans centuries (and takes node-schedule's cron-parser 4 over a second).
const COUNTS = { '* * * * * *': 1000, '0 30 2 * * *': 1000, '0 0 0 L * *': 100, '0 0 0 29 2 *': 100 };
const PATTERNS = Object.keys(COUNTS);
const REPETITIONS = 5;
const WARM_UP_MS = 500;
const WARM_UP_CALLS = 2;
const MIN_REPETITION_MS = 50;
const FROM = new Date(Date.UTC(2025, 0, 1));

const library = libraryArgument(['hookdex', 'croner', 'node-cron', 'node-schedule']);

let checksum = 0;

/** Milliseconds per call of `sequence` (which returns its last Date): median of the repetitions. */
function measure(sequence) {
  const warmUpStart = performance.now();
  let calls = 0;
  while (calls < WARM_UP_CALLS || performance.now() - warmUpStart < WARM_UP_MS) {
    checksum += sequence()?.getTime() ?? 0;
    calls++;
  }
  const estimate = (performance.now() - warmUpStart) / calls;
  const iterations = Math.max(1, Math.ceil(MIN_REPETITION_MS / estimate));
  const repetitions = [];
  for (let repetition = 0; repetition < REPETITIONS; repetition++) {
    const start = performance.now();
    for (let iteration = 0; iteration < iterations; iteration++) checksum += sequence()?.getTime() ?? 0;
    repetitions.push((performance.now() - start) / iterations);
  }
  repetitions.sort((a, b) => a - b);
  return repetitions[Math.floor(REPETITIONS / 2)];
}

/** Per pattern: µs per next, and the first three and the N-th fire time (to compare libraries). */
async function run() {
  const results = {};
  const add = (variant, pattern, microseconds, times, extra = {}) => {
    results[variant] ??= {};
    results[variant][pattern] = {
      microsecondsPerNext: round(microseconds, 3),
      first: times.slice(0, 3).map((date) => date.toISOString()),
      last: times.at(-1)?.toISOString() ?? null,
      ...extra,
    };
  };
  switch (library) {
    case 'hookdex': {
      const { cronFireTimes } = await import('@hookdex/scheduler');
      for (const pattern of PATTERNS) {
        const N = COUNTS[pattern];
        // NOTE: cronFireTimes parses the expression on every call; subtracting a count-0 call (parse
        // only) leaves the cost of the N successive next times.
        const withNexts = measure(() => cronFireTimes(pattern, { after: FROM, count: N }).at(-1));
        const parseOnly = measure(() => cronFireTimes(pattern, { after: FROM, count: 0 }).at(-1));
        const times = cronFireTimes(pattern, { after: FROM, count: N });
        add('default', pattern, ((withNexts - parseOnly) / N) * 1000, times, {
          parseMicroseconds: round(parseOnly * 1000, 2),
        });
      }
      return {
        method: `cronFireTimes(pattern, { after: 2025-01-01Z, count: N }) minus a count-0 call (its parse), / N`,
        results,
      };
    }
    case 'croner': {
      const { Cron } = await import('croner');
      for (const [variant, options] of [
        ['default', { paused: true, timezone: 'UTC' }],
        ['hostLocal', { paused: true }],
      ]) {
        for (const pattern of PATTERNS) {
          const N = COUNTS[pattern];
          const job = new Cron(pattern, options);
          const milliseconds = measure(() => job.nextRuns(N, FROM).at(-1));
          add(variant, pattern, (milliseconds / N) * 1000, job.nextRuns(N, FROM));
        }
      }
      return {
        method: `new Cron(pattern, { paused: true, timezone: 'UTC' }).nextRuns(N, 2025-01-01Z) / N (hostLocal: no timezone option, host TZ=UTC)`,
        results,
      };
    }
    case 'node-cron': {
      const { default: cron } = await import('node-cron');
      for (const pattern of PATTERNS) {
        const N = COUNTS[pattern];
        const task = cron.createTask(pattern, () => {}, { timezone: 'UTC' });
        const milliseconds = measure(() => task.getNextRuns(N).at(-1));
        add('default', pattern, (milliseconds / N) * 1000, task.getNextRuns(N), { fromNow: true });
      }
      return {
        method: `createTask(pattern, fn, { timezone: 'UTC' }).getNextRuns(N) / N: node-cron has no next-after-date API, so this walks from now`,
        results,
      };
    }
    case 'node-schedule': {
      // node-schedule keeps a cron-parser 4 CronExpression per cron job and calls its next() once per
      // fire (lib/Invocation.js scheduleNextRecurrence); measure that dependency, resolved from
      // node-schedule itself, the way node-schedule drives it.
      const require = createRequire(createRequire(import.meta.url).resolve('node-schedule'));
      const cronParser = require('cron-parser');
      for (const pattern of PATTERNS) {
        const N = COUNTS[pattern];
        const expression = cronParser.parseExpression(pattern, { currentDate: FROM, tz: 'UTC' });
        const sequence = () => {
          expression.reset(FROM);
          const times = [];
          for (let index = 0; index < N; index++) times.push(expression.next().toDate());
          return times;
        };
        const milliseconds = measure(() => sequence().at(-1));
        add('default', pattern, (milliseconds / N) * 1000, sequence());
      }
      return {
        method: `cron-parser ${require('cron-parser/package.json').version} (node-schedule's own dependency): parseExpression(pattern, { currentDate: 2025-01-01Z, tz: 'UTC' }), then next() x N after reset(), / N`,
        results,
      };
    }
    default:
      throw new Error(`Unhandled library ${library}`);
  }
}

const { method, results } = await run();
report({ scenario: 'next-fire', library, counts: COUNTS, method, results, checksum: checksum % 1000 });
