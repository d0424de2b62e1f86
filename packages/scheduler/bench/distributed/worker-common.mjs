// What every distributed worker process shares: the statement counter (installed on the one `pg`
// copy before any library loads), fire recording, the measurement window sent by run.mjs over IPC,
// and the result message. One worker script per library builds on it.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { calibratedWallClock, cpuMillisecondsSince, round, sleepUntil } from '../scenarios/common.mjs';

const require = createRequire(import.meta.url);

/** The worker's settings, passed by run.mjs as one JSON argument. */
export const settings = JSON.parse(process.argv[2] ?? '{}');

/** A sub-millisecond wall clock (shared calibration helper of the in-process benchmark). */
export const now = calibratedWallClock();

/** The realpath of the `pg` this process patched; each worker checks its library resolves the same file. */
const pgPath = require.resolve('pg');
const pg = require('pg');

const statements = { total: 0, inWindow: 0, byKind: {} };
let windowStart = Number.POSITIVE_INFINITY;
let windowEnd = Number.POSITIVE_INFINITY;
// BENCH_PROFILE=1 also times every statement sent in the window (for investigations).
const profiling = process.env.BENCH_PROFILE === '1';
const statementTimes = {};
// BENCH_TRACE=<directory> writes one timeline per process there: every statement (start, duration)
// and every 100th job's callbacks, in ms on the calibrated clock (for investigations).
const traceDirectory = process.env.BENCH_TRACE;
const traceLines = [];

// NOTE: every library here talks to PostgreSQL through `pg.Client#query` (pg.Pool and pg-pool call it
// too), so wrapping the prototype counts every statement a process sends, LISTEN and BEGIN included.
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(config, ...rest) {
  statements.total++;
  const at = Date.now();
  const measured = at >= windowStart && at < windowEnd;
  const text = typeof config === 'string' ? config : (config?.text ?? '');
  if (measured) {
    statements.inWindow++;
    const kind = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'OTHER';
    statements.byKind[kind] = (statements.byKind[kind] ?? 0) + 1;
  }
  if (traceDirectory === undefined && !(profiling && measured))
    return originalQuery.call(this, config, ...rest);
  const started = now();
  const done = () => {
    const duration = now() - started;
    const line = text.replace(/\s+/g, ' ').trim();
    if (traceDirectory !== undefined)
      traceLines.push(`${started.toFixed(1)} ${duration.toFixed(1)} ${line.slice(0, 40)}`);
    if (profiling && measured) {
      const key = line.slice(0, 60);
      statementTimes[key] ??= [];
      statementTimes[key].push(duration);
    }
  };
  // NOTE: pg.Pool#query passes a callback; other callers take the promise.
  const callbackIndex = rest.findIndex((argument) => typeof argument === 'function');
  if (callbackIndex >= 0) {
    const callback = rest[callbackIndex];
    rest[callbackIndex] = function timedCallback(...results) {
      done();
      return callback.apply(this, results);
    };
  }
  const result = originalQuery.call(this, config, ...rest);
  if (callbackIndex < 0 && typeof result?.then === 'function') result.then(done, done);
  return result;
};

/** The `pg` module this process patched, for libraries that take a pool. */
export { pg };

/** Checks that a library resolves `pg` to the patched copy; throws otherwise (its statements would go uncounted). */
export function assertSamePg(libraryEntry) {
  const libraryRequire = createRequire(libraryEntry);
  const theirs = libraryRequire.resolve('pg');
  if (theirs !== pgPath) {
    throw new Error(
      `Expected ${libraryEntry} to use ${pgPath}, found ${theirs}: its statements would not be counted.`,
    );
  }
}

// NOTE: only the window's fires are kept (room for each fire key twice); earlier and later ones are
// only counted, so a slow start of another process cannot fill the buffer before the window.
const capacity = settings.jobs * settings.windowSeconds * 2 + 1000;
const fireJob = new Int32Array(capacity);
const fireSlot = new Float64Array(capacity);
const fireLate = new Float64Array(capacity);
let fireCount = 0;
let firesOutside = 0;
let overflow = 0;

/** Called first thing in every callback: `slot` is the scheduled time (epoch ms) of this fire of `job`. */
export function record(job, slot) {
  const late = now() - slot;
  if (traceDirectory !== undefined && job % 100 === 0) {
    traceLines.push(`${(slot + late).toFixed(1)} callback job ${job} slot ${slot} late ${late.toFixed(1)}`);
  }
  if (!inWindow(slot)) firesOutside++;
  else if (fireCount === capacity) overflow++;
  else {
    fireJob[fireCount] = job;
    fireSlot[fireCount] = slot;
    fireLate[fireCount] = late;
    fireCount++;
  }
}

/** Whether a scheduled time (epoch ms) is one of the window's slots (false before the window is known). */
export function inWindow(slot) {
  return slot >= windowStart && slot < windowEnd;
}

/** Library-specific counters (events, errors) reported with the result. */
export const diagnostics = {};

/** Counts one occurrence of `name` in `diagnostics`. */
export function count(name) {
  diagnostics[name] = (diagnostics[name] ?? 0) + 1;
}

/**
 * Tells run.mjs this process is ready, waits for the window, measures over it and reports. `stop`
 * runs after the collection time; the process then exits whatever the library's timers.
 */
export async function serve(stop) {
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const window = await new Promise((resolve) => {
    process.on('message', (message) => {
      if (message?.type === 'window') resolve(message);
    });
    process.send({ type: 'ready', pid: process.pid });
  });
  windowStart = window.startMs;
  windowEnd = window.endMs;
  await sleepUntil(windowStart);
  const cpuStart = process.cpuUsage();
  loopDelay.enable();
  await sleepUntil(windowEnd);
  const cpuMs = cpuMillisecondsSince(cpuStart);
  loopDelay.disable();
  await sleepUntil(window.collectUntilMs);
  // NOTE: a library that does not stop within 5 s is left to process.exit below.
  const stopped = Promise.resolve()
    .then(stop)
    .catch((error) => count(`stop error: ${error.message}`));
  await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 5000))]);
  const fires = [];
  for (let index = 0; index < fireCount; index++) {
    fires.push(fireJob[index], (fireSlot[index] - windowStart) / 1000, round(fireLate[index], 3));
  }
  const result = {
    type: 'result',
    index: settings.index,
    pid: process.pid,
    fires,
    firesOutside,
    overflow,
    statements: { inWindow: statements.inWindow, total: statements.total, byKind: statements.byKind },
    cpuMs: round(cpuMs, 1),
    loopDelayMs: { p99: round(loopDelay.percentile(99) / 1e6, 2), max: round(loopDelay.max / 1e6, 2) },
    clockSkewMs: round(now.skew(), 3),
    diagnostics,
    ...(profiling ? { statementTimes: summariseTimes(statementTimes) } : {}),
  };
  if (traceDirectory !== undefined) {
    const file = join(traceDirectory, `${settings.library}-${settings.jobs}-${settings.index}.log`);
    writeFileSync(file, `${traceLines.join('\n')}\n`);
  }
  process.send(result, () => process.exit(0));
}

/** Reports a failure to run.mjs (which then stops the run) and exits. */
export function fail(error) {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${message}\n`);
  if (process.connected)
    process.send({ type: 'error', message: message.split('\n')[0] }, () => process.exit(1));
  else process.exit(1);
}

process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
// NOTE: run.mjs owns this process; when it goes away (killed, crashed), so does this one.
process.on('disconnect', () => process.exit(2));

/** BENCH_PROFILE=1: statements (first 60 characters) with their count and duration p50/p99/max in ms. */
function summariseTimes(times) {
  const summary = {};
  for (const [key, durations] of Object.entries(times)) {
    durations.sort((a, b) => a - b);
    const at = (fraction) =>
      round(durations[Math.min(durations.length - 1, Math.floor(fraction * durations.length))], 1);
    summary[key] = [durations.length, at(0.5), at(0.99), round(durations.at(-1), 1)];
  }
  return summary;
}
