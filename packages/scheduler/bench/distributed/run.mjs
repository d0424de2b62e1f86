// The distributed benchmark: for each load level and library, four fresh worker processes share one
// PostgreSQL (each library in its own schema, dropped afterwards); run.mjs gives them one measurement
// window, collects every fire, counts duplicates and misses across the four, and prints one markdown
// table with the target verdicts under it; a full run also writes bench/DISTRIBUTED.md.
// Usage: node bench/distributed/run.mjs [hookdex|pg-boss|graphile-worker ...] [--loads=100,1000] [--strict]
//   (naming libraries or loads runs only those and leaves DISTRIBUTED.md alone; --strict exits 1 on a FAIL)
// Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_WINDOW_SECONDS
// (20), BENCH_WARMUP_SECONDS (5); for investigations BENCH_PROFILE=1 (store call and statement
// timings on stderr), BENCH_TRACE=<directory> (a timeline per process), BENCH_OPTIONS (JSON by library)
// and BENCH_WORKER_NODE_ARGS.
import { execFileSync, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleepUntil } from '../scenarios/common.mjs';
import { analyse, anomalies, buildTable, evaluateTargets, methodNotes } from './report.mjs';

const distributedDirectory = dirname(fileURLToPath(import.meta.url));
const benchDirectory = dirname(distributedDirectory);
const packageDirectory = dirname(benchDirectory);
const require = createRequire(import.meta.url);
const pg = require('pg');

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WINDOW_SECONDS = Number(process.env.BENCH_WINDOW_SECONDS ?? 20);
const WARM_UP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
// NOTE: fires of window slots that start late are still collected for this long after the window.
const COLLECT_SECONDS = 3;
const WORKERS = 4;
const LOADS = [100, 1000];
const READY_TIMEOUT_MS = 120_000;
const PREPARE_TIMEOUT_MS = 120_000;
// NOTE: the issue bounds a run to 10 minutes; past this budget no further run starts, and a hard
// stop kills everything shortly before the 10 minutes are up.
const BUDGET_MS = 8.5 * 60_000;
const HARD_STOP_MS = 9.5 * 60_000;

/** How each library is driven; `options` goes to its worker script as is (and into the report). */
const LIBRARIES = [
  {
    key: 'hookdex',
    script: 'worker-hookdex.mjs',
    schema: 'bench_dist_hookdex',
    createSchema: true,
    // Defaults: leaseMs 30,000, pollIntervalMs 5,000, batchSize 500.
    options: () => ({}),
  },
  {
    key: 'pg-boss',
    script: 'worker-pg-boss.mjs',
    schema: 'bench_dist_pgboss',
    createSchema: false,
    // 0.5 s is the shortest polling interval pg-boss 10 accepts (default 2 s); one fetch may take a
    // whole second's fires (default batchSize 1 would start one job per poll per process).
    options: (jobs) => ({ pollingIntervalSeconds: 0.5, batchSize: jobs }),
  },
  {
    key: 'graphile-worker',
    script: 'worker-graphile-worker.mjs',
    schema: 'bench_dist_graphile',
    createSchema: false,
    // The batching its performance docs recommend for many short jobs (defaults: concurrency 1,
    // no local queue, no completion batching).
    options: () => ({ concurrency: 10, localQueue: { size: 50 }, completeJobBatchDelay: 0 }),
  },
];

const argumentsGiven = process.argv.slice(2);
const strict = argumentsGiven.includes('--strict');
const loadsArgument = argumentsGiven.find((argument) => argument.startsWith('--loads='));
const selected = argumentsGiven.filter((argument) => !argument.startsWith('--'));
for (const name of selected) {
  if (!LIBRARIES.some((library) => library.key === name)) {
    console.error(
      `Unknown library "${name}": expected ${LIBRARIES.map((library) => library.key).join(', ')}.`,
    );
    process.exit(1);
  }
}
const loads = loadsArgument === undefined ? LOADS : loadsArgument.slice(8).split(',').map(Number);
if (loads.some((load) => !Number.isInteger(load) || load < 1)) {
  console.error(`Expected --loads=<fires per second>,..., found ${loadsArgument}.`);
  process.exit(1);
}
const fullRun = selected.length === 0 && loadsArgument === undefined;
const libraries =
  selected.length === 0 ? LIBRARIES : LIBRARIES.filter((library) => selected.includes(library.key));

const children = new Set();

/** Kills every worker still alive, by its pid (SIGKILL: a stuck library must not outlive the run). */
function killChildren() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

const schemasInUse = new Set();

async function withClient(work) {
  const client = new pg.Client({ connectionString: DATABASE_URL, application_name: 'bench-dist-run' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function dropSchema(schema) {
  await withClient((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
  schemasInUse.delete(schema);
}

let cleaningUp = false;
async function abort(reason, exitCode) {
  if (cleaningUp) return;
  cleaningUp = true;
  console.error(`Stopping: ${reason}`);
  killChildren();
  for (const schema of [...schemasInUse]) await dropSchema(schema).catch(() => undefined);
  process.exit(exitCode);
}
process.on('SIGINT', () => void abort('interrupted', 130));
process.on('SIGTERM', () => void abort('terminated', 143));
const hardStop = setTimeout(
  () => void abort(`the run exceeded ${HARD_STOP_MS / 60_000} minutes`, 1),
  HARD_STOP_MS,
);
hardStop.unref();

function connectionString(library) {
  const separator = DATABASE_URL.includes('?') ? '&' : '?';
  return `${DATABASE_URL}${separator}application_name=bench-dist-${library.key}`;
}

/** Starts one worker process; `onMessage` gets its IPC messages. */
function startWorker(library, settings, onMessage) {
  const child = fork(join(distributedDirectory, library.script), [JSON.stringify(settings)], {
    cwd: packageDirectory,
    env: { ...process.env, TZ: 'UTC' },
    // NOTE: BENCH_WORKER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is for investigations.
    execArgv: (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(child);
  const output = { stderr: '' };
  child.stdout.on('data', (chunk) => {
    output.stderr += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output.stderr += chunk;
  });
  child.on('message', onMessage);
  child.on('exit', () => children.delete(child));
  return { child, output };
}

function tail(text) {
  return text.trim().split('\n').slice(-3).join(' / ');
}

/** Runs the prepare step (migrations, tables, queue) in one child; resolves or rejects. */
function prepare(library, settings) {
  return new Promise((resolve, reject) => {
    const { child, output } = startWorker(library, { ...settings, role: 'prepare' }, () => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), PREPARE_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`prepare exited with ${signal ?? `code ${code}`}: ${tail(output.stderr)}`));
    });
  });
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU ticks of a process, or undefined when it is gone or unreadable. */
function ticksOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * Samples the CPU of the PostgreSQL backends serving `applicationName` once a second until `endMs`:
 * backends present at the first sample count from there, later ones from their start. Null when
 * /proc cannot be read (PostgreSQL on another machine).
 */
async function sampleDatabaseCpu(applicationName, startMs, endMs) {
  const first = new Map();
  const last = new Map();
  let samples = 0;
  await withClient(async (client) => {
    const sample = async () => {
      const { rows } = await client.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
        applicationName,
      ]);
      for (const { pid } of rows) {
        const ticks = ticksOf(pid);
        if (ticks === undefined) continue;
        if (!last.has(pid)) first.set(pid, samples === 0 ? ticks : 0);
        last.set(pid, ticks);
      }
      samples++;
    };
    await sleepUntil(startMs);
    await sample();
    for (let at = startMs + 1000; at <= endMs; at += 1000) {
      await sleepUntil(at);
      await sample();
    }
  });
  if (last.size === 0) return null;
  let ticks = 0;
  for (const [pid, value] of last) ticks += value - (first.get(pid) ?? 0);
  return { cpuPercent: ((ticks / CLOCK_TICKS) * 100) / ((endMs - startMs) / 1000), backends: last.size };
}

/** One (library, load) run: prepare, four workers, one window; resolves with the analysed result or `{ error }`. */
async function runOne(library, jobs) {
  const base = {
    library: library.key,
    databaseUrl: connectionString(library),
    schema: library.schema,
    jobs,
    workers: WORKERS,
    windowSeconds: WINDOW_SECONDS,
    warmUpSeconds: WARM_UP_SECONDS,
    // NOTE: BENCH_OPTIONS ({ "<library>": { ... } }) overrides these for investigations.
    options: { ...library.options(jobs), ...JSON.parse(process.env.BENCH_OPTIONS ?? '{}')[library.key] },
  };
  await dropSchema(library.schema);
  schemasInUse.add(library.schema);
  try {
    if (library.createSchema) await withClient((client) => client.query(`CREATE SCHEMA ${library.schema}`));
    await prepare(library, { ...base, index: -1 });
    const workers = [];
    const results = [];
    let failure;
    let ready = 0;
    let readyAll;
    let resultsAll;
    const allReady = new Promise((resolve) => {
      readyAll = resolve;
    });
    const allResults = new Promise((resolve) => {
      resultsAll = resolve;
    });
    const failWith = (message) => {
      failure ??= message;
      readyAll();
      resultsAll();
    };
    for (let index = 0; index < WORKERS; index++) {
      const worker = startWorker(library, { ...base, index, role: 'worker' }, (message) => {
        if (message.type === 'ready' && ++ready === WORKERS) readyAll();
        else if (message.type === 'result') {
          results[message.index] = message;
          if (results.filter(Boolean).length === WORKERS) resultsAll();
        } else if (message.type === 'error') failWith(`worker ${index}: ${message.message}`);
      });
      worker.child.on('exit', (code, signal) => {
        if (results[index] === undefined) {
          failWith(`worker ${index} exited with ${signal ?? `code ${code}`}: ${tail(worker.output.stderr)}`);
        }
      });
      workers.push(worker);
    }
    const readyTimer = setTimeout(() => failWith('workers not ready in time'), READY_TIMEOUT_MS);
    await allReady;
    clearTimeout(readyTimer);
    if (failure !== undefined) throw new Error(failure);
    const startMs = Math.ceil((Date.now() + WARM_UP_SECONDS * 1000) / 1000) * 1000;
    const endMs = startMs + WINDOW_SECONDS * 1000;
    const collectUntilMs = endMs + COLLECT_SECONDS * 1000;
    for (const { child } of workers) child.send({ type: 'window', startMs, endMs, collectUntilMs });
    const database = sampleDatabaseCpu(`bench-dist-${library.key}`, startMs, endMs).catch(() => null);
    const resultTimer = setTimeout(
      () => failWith('workers did not report in time'),
      collectUntilMs - Date.now() + 30_000,
    );
    await sleepUntil(endMs);
    // NOTE: the machine is shared; its load during the window says how much to trust the milliseconds.
    const loadAverage = os.loadavg()[0];
    await allResults;
    clearTimeout(resultTimer);
    if (failure !== undefined) throw new Error(failure);
    const stderrLines = workers.reduce(
      (sum, worker) =>
        sum + (worker.output.stderr.trim() === '' ? 0 : worker.output.stderr.trim().split('\n').length),
      0,
    );
    return analyse({
      jobs,
      windowSeconds: WINDOW_SECONDS,
      results,
      database: await database,
      loadAverage,
      stderrLines,
      options: base.options,
    });
  } catch (error) {
    return { error: error.message };
  } finally {
    killChildren();
    await dropSchema(library.schema).catch(() => undefined);
  }
}

function versionOf(name) {
  return JSON.parse(readFileSync(join(packageDirectory, 'node_modules', name, 'package.json'), 'utf8'))
    .version;
}

const versions = {
  hookdex: JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8')).version,
  'pg-boss': versionOf('pg-boss'),
  'graphile-worker': versionOf('graphile-worker'),
  pg: versionOf('pg'),
};

let serverVersion;
try {
  serverVersion = await withClient(
    async (client) => (await client.query('SHOW server_version')).rows[0].server_version,
  );
} catch (error) {
  console.error(`PostgreSQL is not reachable at ${DATABASE_URL}: ${error.message}`);
  process.exit(1);
}
versions.postgres = serverVersion;

const runStarted = performance.now();
const startedAt = new Date();
const total = loads.length * libraries.length;
let done = 0;
const results = {};
for (const jobs of loads) {
  results[jobs] = {};
  for (const library of libraries) {
    done++;
    if (performance.now() - runStarted > BUDGET_MS) {
      results[jobs][library.key] = { error: 'not run: the time budget was spent' };
      console.error(`[${done}/${total}] ${jobs}/s ${library.key}: SKIPPED (time budget)`);
      continue;
    }
    const started = performance.now();
    const result = await runOne(library, jobs);
    results[jobs][library.key] = result;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (process.env.BENCH_PROFILE === '1' && result.error === undefined) {
      const { fires, duplicates, misses, latenessMs, statementsByKind, firesPerWorker, worstPerSecondMs } =
        result;
      const shown = {
        fires,
        duplicates,
        misses,
        latenessMs,
        statementsByKind,
        firesPerWorker,
        worstPerSecondMs,
      };
      console.error(
        JSON.stringify({
          ...shown,
          diagnostics: result.diagnostics,
          profile: result.profile,
          offsetMs: result.offsetMs,
        }),
      );
    }
    console.error(
      `[${done}/${total}] ${jobs}/s ${library.key}: ${result.error === undefined ? `${seconds} s` : `ERROR ${result.error}`}`,
    );
  }
}
clearTimeout(hardStop);
const totalSeconds = (performance.now() - runStarted) / 1000;

const table = buildTable({ results, loads, libraries: libraries.map((library) => library.key), versions });
const targets = evaluateTargets(results, loads);
const oddities = anomalies(results);
const cpu = os.cpus();
const cpuModel = cpu[0]?.model ?? 'unknown';
console.log(`\n${table}\n`);
console.log(targets.join('\n'));
if (oddities.length > 0) console.log(`\nAnomalies:\n${oddities.map((note) => `- ${note}`).join('\n')}`);
console.log(
  `\n${total} runs of ${WORKERS} processes in ${totalSeconds.toFixed(0)} s on ${cpuModel} (${cpu.length} cores), Node ${process.version}, PostgreSQL ${serverVersion}.`,
);

if (fullRun) {
  const markdown = [
    '<!-- Generated by bench/distributed/run.mjs (`pnpm -F @hookdex/scheduler bench:distributed`); do not edit, run it again. -->',
    '# @hookdex/scheduler distributed benchmark results',
    '',
    '| | |',
    '|---|---|',
    `| date | ${startedAt.toISOString()} |`,
    `| Node | ${process.version} (${process.platform} ${process.arch}) |`,
    `| CPU | ${cpuModel}, ${cpu.length} cores (\`os.cpus()\`) |`,
    `| memory | ${(os.totalmem() / 2 ** 30).toFixed(1)} GB |`,
    `| PostgreSQL | ${serverVersion} on the same machine (${DATABASE_URL.replace(/\/\/[^@]*@/, '//')}) |`,
    `| libraries | @hookdex/scheduler ${versions.hookdex} (built dist/cluster), pg-boss ${versions['pg-boss']}, graphile-worker ${versions['graphile-worker']}, all on pg ${versions.pg} (one copy) |`,
    `| run | ${total} runs of ${WORKERS} worker processes each, ${totalSeconds.toFixed(0)} s |`,
    '',
    'pg-boss 10.4.2 and graphile-worker 0.17.3 are the newest releases that run on Node 20 (pg-boss 11+ and graphile-worker 0.18 need Node 22), so those are the ones measured.',
    '',
    '## How to read',
    '',
    `For each load level and library, ${WORKERS} fresh \`node\` processes (TZ=UTC) share one PostgreSQL, each library in its own schema, created for the run and dropped after it; the libraries run one after another, never at the same time. A load of N fires per second is N jobs that each fire every whole second. After all ${WORKERS} processes are ready and ${WARM_UP_SECONDS} s of warm-up, the ${WINDOW_SECONDS} whole seconds of the window are measured: N × ${WINDOW_SECONDS} (job, second) **fire keys**, each of which must run exactly once across the ${WORKERS} processes (a second run is a **duplicate**, none within ${COLLECT_SECONDS} s after the window is a **miss**). **Lateness** is the time the callback started minus the second it was scheduled for, on a sub-millisecond clock calibrated against \`Date.now()\` in each process (all on one machine). **Statements per fire** counts every statement the ${WORKERS} processes sent during the window (\`pg.Client#query\` wrapped before the library loads; BEGIN, COMMIT, LISTEN and polling included) divided by the fire keys of the window. **Worker CPU** is \`process.cpuUsage()\` of the ${WORKERS} processes over the window, summed, in % of one core; **PostgreSQL CPU** is the user + system time of the backends serving them (by \`application_name\`, from /proc, sampled every second). Lower is better everywhere. The machine is shared with other work, so its 1-minute load average at the end of each window is shown too: with more runnable processes than cores, every round trip also waits for a CPU, and milliseconds of lateness grow with the load; compare the libraries within a run, and statements and CPU per fire (which depend little on the load) across runs.`,
    '',
    '## Results',
    '',
    table,
    '',
    '## Targets',
    '',
    '```',
    ...targets,
    '```',
    '',
    ...(oddities.length > 0
      ? ['## Anomalies seen in this run', '', ...oddities.map((note) => `- ${note}`), '']
      : []),
    '## How each library was driven',
    '',
    ...methodNotes({ versions, libraries: LIBRARIES, loads, windowSeconds: WINDOW_SECONDS }),
    '',
    '<details><summary>Raw results (one JSON line per run; fire lists left out)</summary>',
    '',
    '```json',
    ...Object.entries(results).flatMap(([jobs, byLibrary]) =>
      Object.entries(byLibrary).map(([library, result]) =>
        JSON.stringify({ jobs: Number(jobs), library, ...result }),
      ),
    ),
    '```',
    '',
    '</details>',
    '',
  ].join('\n');
  writeFileSync(join(benchDirectory, 'DISTRIBUTED.md'), markdown);
  console.error(`Wrote ${join('bench', 'DISTRIBUTED.md')}.`);
}

const failed = Object.values(results).some((byLibrary) =>
  Object.values(byLibrary).some((result) => result.error !== undefined),
);
if (failed || (strict && targets.some((line) => line.startsWith('FAIL')))) process.exitCode = 1;
