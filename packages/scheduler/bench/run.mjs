// Runs every (library x scenario) in a fresh `node --expose-gc` child process, prints one markdown
// table with the target verdicts under it, and writes bench/RESULTS.md.
// Usage: node bench/run.mjs [dispatch|idle|next-fire|drift ...] [--libraries=hookdex,floor,...] [--strict]
//   (naming scenarios or libraries runs only those and leaves RESULTS.md alone, e.g.
//   `node bench/run.mjs dispatch --libraries=hookdex,floor,toad` for a quick scenario-1 check;
//   --strict exits 1 on a FAIL)
import { spawn } from 'node:child_process';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anomalies, buildTable, evaluateTargets, footnotes } from './report.mjs';

const benchDirectory = dirname(fileURLToPath(import.meta.url));
const packageDirectory = dirname(benchDirectory);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 35);
const DRIFT_SECONDS = Number(process.env.BENCH_DRIFT_SECONDS ?? 120);

const SCENARIOS = [
  {
    name: 'dispatch',
    libraries: ['hookdex', 'floor', 'croner', 'node-cron', 'node-schedule', 'toad'],
    timeoutSeconds: 60,
  },
  {
    name: 'idle',
    libraries: ['hookdex', 'floor', 'croner', 'node-cron', 'node-schedule', 'toad'],
    timeoutSeconds: IDLE_SECONDS + 80,
    // NOTE: V8's memory reducer is off, so its one-off shrinking of what creating the jobs left
    // behind cannot land in the idle window (see scenarios/idle.mjs). The same flag for every library.
    nodeFlags: ['--no-memory-reducer'],
  },
  { name: 'next-fire', libraries: ['hookdex', 'croner', 'node-cron', 'node-schedule'], timeoutSeconds: 120 },
  {
    name: 'drift',
    libraries: ['hookdex', 'floor', 'setInterval', 'toad', 'node-schedule', 'croner'],
    timeoutSeconds: DRIFT_SECONDS + 60,
    // NOTE: six idle 1 Hz processes barely load two cores; run together they take 2 minutes, not 12.
    concurrent: true,
  },
];

const argumentsGiven = process.argv.slice(2);
const strict = argumentsGiven.includes('--strict');
const selected = argumentsGiven.filter((argument) => !argument.startsWith('--'));
for (const name of selected) {
  if (!SCENARIOS.some((scenario) => scenario.name === name)) {
    console.error(
      `Unknown scenario "${name}": expected ${SCENARIOS.map((scenario) => scenario.name).join(', ')}.`,
    );
    process.exit(1);
  }
}
const librariesOption = argumentsGiven.find((argument) => argument.startsWith('--libraries='));
const knownLibraries = [...new Set(SCENARIOS.flatMap((scenario) => scenario.libraries))];
const selectedLibraries = librariesOption?.slice('--libraries='.length).split(',').filter(Boolean);
for (const name of selectedLibraries ?? []) {
  if (!knownLibraries.includes(name)) {
    console.error(`Unknown library "${name}": expected ${knownLibraries.join(', ')}.`);
    process.exit(1);
  }
}
const fullRun = selected.length === 0 && selectedLibraries === undefined;
const scenarios = SCENARIOS.filter((scenario) => selected.length === 0 || selected.includes(scenario.name))
  .map((scenario) =>
    selectedLibraries === undefined
      ? scenario
      : {
          ...scenario,
          libraries: scenario.libraries.filter((library) => selectedLibraries.includes(library)),
        },
  )
  .filter((scenario) => scenario.libraries.length > 0);

/** Runs one child; resolves with its JSON result, or `{ error }`. Never rejects. */
function runChild(scenario, library) {
  const script = join(benchDirectory, 'scenarios', `${scenario.name}.mjs`);
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--expose-gc', ...(scenario.nodeFlags ?? []), script, library], {
      cwd: packageDirectory,
      env: { ...process.env, TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), scenario.timeoutSeconds * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const line = stdout
        .trim()
        .split('\n')
        .reverse()
        .find((candidate) => candidate.startsWith('{'));
      let result;
      try {
        result = line === undefined ? undefined : JSON.parse(line);
      } catch {
        result = undefined;
      }
      if (result === undefined || code !== 0) {
        const reason = signal === null ? `exit code ${code}` : `killed by ${signal} (timeout)`;
        const tail = stderr.trim().split('\n').slice(-3).join(' / ');
        result = { error: `${reason}${tail ? `: ${tail}` : ''}` };
      }
      resolve({ result, seconds, stderrLines: stderr.trim() === '' ? 0 : stderr.trim().split('\n').length });
    });
  });
}

function versionOf(name, from = packageDirectory) {
  return JSON.parse(readFileSync(join(from, 'node_modules', name, 'package.json'), 'utf8')).version;
}

function toadCronerVersion() {
  const toadDirectory = realpathSync(join(packageDirectory, 'node_modules', 'toad-scheduler'));
  const require = createRequire(join(toadDirectory, 'package.json'));
  return JSON.parse(readFileSync(require.resolve('croner/package.json'), 'utf8')).version;
}

const versions = {
  croner: versionOf('croner'),
  'node-cron': versionOf('node-cron'),
  'node-schedule': versionOf('node-schedule'),
  'toad-scheduler': versionOf('toad-scheduler'),
  toadCroner: toadCronerVersion(),
  hookdex: JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8')).version,
};

const runStarted = performance.now();
const startedAt = new Date();
const total = scenarios.reduce((sum, scenario) => sum + scenario.libraries.length, 0);
let done = 0;
const results = {};
const progress = (scenario, library, outcome) => {
  done++;
  const status = outcome.result.error === undefined ? `${outcome.seconds.toFixed(1)} s` : 'ERROR';
  const warnings = outcome.stderrLines > 0 ? ` (${outcome.stderrLines} stderr lines)` : '';
  console.error(`[${done}/${total}] ${scenario.name} ${library}: ${status}${warnings}`);
};
for (const scenario of scenarios) {
  results[scenario.name] = {};
  if (scenario.concurrent) {
    console.error(
      `Running ${scenario.libraries.length} ${scenario.name} processes together (~${DRIFT_SECONDS} s)...`,
    );
    const outcomes = await Promise.all(
      scenario.libraries.map(async (library) => {
        const outcome = await runChild(scenario, library);
        progress(scenario, library, outcome);
        return [library, outcome];
      }),
    );
    for (const [library, outcome] of outcomes) results[scenario.name][library] = outcome.result;
  } else {
    for (const library of scenario.libraries) {
      const outcome = await runChild(scenario, library);
      progress(scenario, library, outcome);
      results[scenario.name][library] = outcome.result;
    }
  }
}
const totalSeconds = (performance.now() - runStarted) / 1000;

const table = buildTable({ results, versions, idleSeconds: IDLE_SECONDS, driftSeconds: DRIFT_SECONDS });
const notes = footnotes({ results, versions, driftConcurrent: true });
const targets = evaluateTargets(results);
const oddities = anomalies(results);
const cpu = os.cpus();
const cpuModel = cpu[0]?.model ?? 'unknown';

console.log(`\n${table}\n`);
console.log(targets.join('\n'));
if (oddities.length > 0) console.log(`\nAnomalies:\n${oddities.map((note) => `- ${note}`).join('\n')}`);
console.log(
  `\n${total} child processes in ${totalSeconds.toFixed(0)} s on ${cpuModel} (${cpu.length} cores), Node ${process.version}.`,
);

if (fullRun) {
  const markdown = [
    '<!-- Generated by bench/run.mjs (`pnpm -F @hookdex/scheduler bench`); do not edit, run it again. -->',
    '# @hookdex/scheduler benchmark results',
    '',
    '| | |',
    '|---|---|',
    `| date | ${startedAt.toISOString()} |`,
    `| Node | ${process.version} (${process.platform} ${process.arch}) |`,
    `| CPU | ${cpuModel}, ${cpu.length} cores (\`os.cpus()\`) |`,
    `| memory | ${(os.totalmem() / 2 ** 30).toFixed(1)} GB |`,
    `| libraries | @hookdex/scheduler ${versions.hookdex} (built dist/), croner ${versions.croner}, node-cron ${versions['node-cron']}, node-schedule ${versions['node-schedule']}, toad-scheduler ${versions['toad-scheduler']} (croner ${versions.toadCroner} inside) |`,
    `| run | ${total} child processes, ${totalSeconds.toFixed(0)} s |`,
    '',
    '## How to read',
    '',
    'Each cell comes from its own fresh `node --expose-gc` process (TZ=UTC), run one after another, except that the six scenario-4 processes run at the same time. Lower is better everywhere. **Lateness** is the time a callback started minus the time it was due (the whole second for cron jobs, start + k·1 s for interval jobs), on a sub-millisecond clock calibrated against `Date.now()`. The **floor** is the best plain Node can do: one `setTimeout` per job, re-armed to an absolute target and re-checked against `Date.now()`; it shows the noise of this machine, so compare libraries with it rather than with zero, and compare ratios across machines rather than milliseconds. In scenario 1 the first three seconds after start are warm-up (V8 compiles the code of each library during the first fires), and the ten whole seconds after them are measured: 10,000 (job, slot) pairs, each of which must fire exactly once (a second fire is a **duplicate**, none is a **miss**); CPU is `process.cpuUsage()` over exactly those ten seconds, as a percentage of one core. In scenario 2, heap per job is the `heapUsed` growth between full GCs before and after creating the 10,000 jobs, divided by 10,000, and idle CPU is the CPU the process takes over ' +
      `${IDLE_SECONDS} s that start 12 s after the jobs were created, when none of them is due: what the library's own timers and bookkeeping cost while it waits (see the method notes for V8's memory reducer). Scenario 3 is pure computation in one process per library; scenario 4 reports how late the last of ${DRIFT_SECONDS} fires was (drift accumulates there) and the worst one.`,
    '',
    '## Results',
    '',
    table,
    '',
    notes,
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
    '## Method notes',
    '',
    '- Slots: ours reports `scheduledAt`, node-cron `context.date`, node-schedule its `fireDate` argument, and the floor knows its own targets; croner and toad do not say which slot a call is for, so theirs is the whole second at or before the fire time (allowing 20 ms of earliness), which is exact as long as they are less than ~980 ms late.',
    '- Scenario 1 collects late fires of the ten slots for up to 5 s after the window (node-schedule runs seconds behind at this load).',
    `- Scenario 2: the ${IDLE_SECONDS} s idle window starts 12 s after the jobs were created, and its children run with V8's memory reducer off (\`--no-memory-reducer\`, the same for every library). After a full GC that follows heap growth, the reducer shrinks the heap with incremental marking and one to three more full GCs, a one-off cost of having created the jobs; it starts 8 s later and postpones itself by another 8 s each time the allocation rate is not yet low, so with V8's defaults it ran 16-25 s after creation in some runs, inside the window, for whichever library had allocated (ours then read 0.21 % instead of 0.001 %), and with a 1 s start delay it ran before the window for ours but kept running inside it for the libraries that allocate while idle. What the window holds is the library's own timers and bookkeeping and the garbage collections its own allocation while idle causes; their count is in the raw results (\`majorGcsInWindow\`, listed under anomalies when not zero). What creating the jobs still costs after it returned is the row "CPU in the 12 s after creation". croner and toad cap every timer at 30 s, so each of their jobs wakes every 30 s, which the 35 s window includes. Ours wakes once per \`maxSleepMs\` (60 s) for all jobs together; the floor sleeps as long as \`setTimeout\` allows (2^31-1 ms).`,
    '- Scenario 1 raw results below carry `perSlot`: the lateness of the first and the last fire of each of the ten slots (one burst each), which shows warm-up and stalls inside a burst.',
    '- Every library runs with its defaults (croner and node-schedule in host-local time, which is UTC here; ours in UTC), except `misfireGraceTime: null` for ours in scenarios 1 and 4, as in the issue.',
    '',
    '<details><summary>Raw results (one JSON line per child process)</summary>',
    '',
    '```json',
    ...Object.values(results).flatMap((byLibrary) =>
      Object.entries(byLibrary).map(([library, result]) => JSON.stringify({ library, ...result })),
    ),
    '```',
    '',
    '</details>',
    '',
  ].join('\n');
  writeFileSync(join(benchDirectory, 'RESULTS.md'), markdown);
  console.error(`Wrote ${join('bench', 'RESULTS.md')}.`);
}

const failed = Object.values(results).some((byLibrary) =>
  Object.values(byLibrary).some((result) => result.error !== undefined),
);
if (failed || (strict && targets.some((line) => line.startsWith('FAIL')))) process.exitCode = 1;
