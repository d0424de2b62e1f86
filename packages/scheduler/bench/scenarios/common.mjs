// Helpers shared by the scenario scripts. Each scenario runs in its own child process and prints
// exactly one JSON line on stdout; everything else (library warnings) goes to stderr.

/** Libraries a scenario can be asked to run. */
export const LIBRARIES = ['hookdex', 'floor', 'croner', 'node-cron', 'node-schedule', 'toad', 'setInterval'];

/** The library named on the command line, checked against the scenario's list. */
export function libraryArgument(allowed) {
  const library = process.argv[2];
  if (!allowed.includes(library)) {
    process.stderr.write(`Expected a library out of ${allowed.join(', ')}, found ${String(library)}.\n`);
    process.exit(1);
  }
  return library;
}

/**
 * A wall clock with sub-millisecond resolution: `performance.now()` shifted so that it agrees with
 * the moment `Date.now()` ticks. Libraries decide due-ness with `Date.now()` (whole milliseconds);
 * measuring with this clock avoids rounding every lateness down to a whole millisecond.
 */
export function calibratedWallClock() {
  // NOTE: the first performance.now() loads perf_hooks lazily (~1 ms here): warm both clocks up first.
  for (let index = 0; index < 1000; index++) performance.now() + Date.now();
  const offset = tickOffset();
  const now = () => offset + performance.now();
  /** Milliseconds this clock has drifted from `Date.now()` since calibration (NTP slewing). */
  now.skew = () => tickOffset() - offset;
  return now;
}

/** `Date.now() - performance.now()` at a tick of `Date.now()`; a late look only lowers it, so take the max. */
function tickOffset() {
  let best = Number.NEGATIVE_INFINITY;
  for (let sample = 0; sample < 5; sample++) {
    const start = Date.now();
    let tick = Date.now();
    while (tick === start) tick = Date.now();
    best = Math.max(best, tick - performance.now());
  }
  return best;
}

/** Resolves at the wall-clock time `atMs`, re-arming on early wake-ups. */
export function sleepUntil(atMs) {
  return new Promise((resolve) => {
    const check = () => {
      const left = atMs - Date.now();
      if (left <= 0) resolve();
      else setTimeout(check, left);
    };
    check();
  });
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, fraction) {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1];
}

/** CPU time (user + system) in milliseconds since `process.cpuUsage()` returned `start`. */
export function cpuMillisecondsSince(start) {
  const usage = process.cpuUsage(start);
  return (usage.user + usage.system) / 1000;
}

/** Full garbage collection (the child runs with `--expose-gc`). */
export function collectGarbage() {
  if (typeof globalThis.gc !== 'function') throw new Error('Run the scenario with node --expose-gc.');
  globalThis.gc();
  globalThis.gc();
}

/** Prints the result line and exits, so no library timer keeps the process alive. */
export function report(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}

/** Rounds to `digits` decimals, keeping null. */
export function round(value, digits = 2) {
  if (value === null || value === undefined || !Number.isFinite(value)) return value ?? null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
