// Turns the workers' results into one run's metrics, the markdown table, the target verdicts and
// the method notes of DISTRIBUTED.md.
import { percentile, round } from '../scenarios/common.mjs';

const NOT_APPLICABLE = '–';
const TITLES = {
  hookdex: () => '@hookdex/scheduler',
  'pg-boss': (versions) => `pg-boss ${versions['pg-boss']}`,
  'graphile-worker': (versions) => `graphile-worker ${versions['graphile-worker']}`,
};
const PEERS = ['pg-boss', 'graphile-worker'];
const P99_TARGET_MS = 50;

/** One run's metrics from the four workers' results (`fires` is a flat list of job, slot index, lateness). */
export function analyse({ jobs, windowSeconds, results, database, loadAverage, stderrLines, options }) {
  const expected = jobs * windowSeconds;
  const runs = new Uint16Array(expected);
  const lateness = [];
  const slotWorst = new Float64Array(windowSeconds);
  let early = 0;
  // Fires whose slot is not a whole second of the window (none expected: all three report whole seconds).
  let offSlot = 0;
  let statements = 0;
  let cpuMs = 0;
  const byKind = {};
  const diagnostics = {};
  for (const result of results) {
    const { fires } = result;
    for (let index = 0; index < fires.length; index += 3) {
      const [job, slot, late] = [fires[index], fires[index + 1], fires[index + 2]];
      if (!Number.isInteger(slot) || job < 0 || job >= jobs) {
        offSlot++;
        continue;
      }
      runs[job * windowSeconds + slot]++;
      lateness.push(late);
      if (late < 0) early++;
      slotWorst[slot] = Math.max(slotWorst[slot], late);
    }
    statements += result.statements.inWindow;
    cpuMs += result.cpuMs;
    for (const [kind, value] of Object.entries(result.statements.byKind))
      byKind[kind] = (byKind[kind] ?? 0) + value;
    for (const [name, value] of Object.entries(result.diagnostics)) {
      if (typeof value === 'number' && value > 0) diagnostics[name] = (diagnostics[name] ?? 0) + value;
    }
  }
  let duplicates = 0;
  let misses = 0;
  for (const value of runs) {
    if (value === 0) misses++;
    else duplicates += value - 1;
  }
  lateness.sort((a, b) => a - b);
  return {
    jobs,
    windowSeconds,
    expected,
    fires: lateness.length,
    duplicates,
    misses,
    early,
    offSlot,
    latenessMs: {
      p50: round(percentile(lateness, 0.5), 2),
      p99: round(percentile(lateness, 0.99), 2),
      max: round(lateness.at(-1) ?? null, 2),
    },
    statements,
    statementsPerFire: round(statements / expected, 3),
    statementsByKind: byKind,
    workerCpuPercent: round((cpuMs / (windowSeconds * 1000)) * 100, 2),
    databaseCpuPercent: database === null ? null : round(database.cpuPercent, 2),
    databaseBackends: database?.backends ?? null,
    loadAverage: round(loadAverage, 2),
    firesPerWorker: results.map((result) => result.fires.length / 3),
    worstPerSecondMs: [...slotWorst].map((value) => round(value, 1)),
    loopDelayMaxMs: Math.max(...results.map((result) => result.loopDelayMs.max)),
    clockSkewMs: Math.max(...results.map((result) => Math.abs(result.clockSkewMs))),
    overflow: results.reduce((sum, result) => sum + result.overflow, 0),
    firesOutside: results.reduce((sum, result) => sum + result.firesOutside, 0),
    stderrLines,
    diagnostics,
    options,
    ...(results.some((result) => result.diagnostics.profile !== undefined)
      ? {
          profile: results.map((result) => summariseProfile(result.diagnostics.profile ?? {})),
          statementTimes: results.map((result) => result.statementTimes),
          offsetMs: results.map((result) => {
            const values = [...(result.diagnostics.offsetMs ?? [])].sort((a, b) => a - b);
            return [percentile(values, 0.01), percentile(values, 0.5), percentile(values, 0.99)];
          }),
        }
      : {}),
  };
}

/** BENCH_PROFILE=1: per store method, calls, duration p50/p99/max and start p50 (ms into the second). */
function summariseProfile(calls) {
  const summary = {};
  for (const [method, entries] of Object.entries(calls ?? {})) {
    const durations = entries.map(([, duration]) => duration).sort((a, b) => a - b);
    const offsets = entries.map(([offset]) => offset).sort((a, b) => a - b);
    const firstOfSecond = new Map();
    for (const [offset, , second] of entries)
      if (!firstOfSecond.has(second)) firstOfSecond.set(second, offset);
    const firsts = [...firstOfSecond.values()].sort((a, b) => a - b);
    summary[method] = {
      calls: entries.length,
      firstInSecond: [percentile(firsts, 0.1), percentile(firsts, 0.5), percentile(firsts, 0.9)],
      ms: [percentile(durations, 0.5), percentile(durations, 0.99), durations.at(-1)],
      startInSecond: [percentile(offsets, 0.1), percentile(offsets, 0.5), percentile(offsets, 0.9)],
    };
  }
  return summary;
}

const number = (value, digits = 1) =>
  value === null || value === undefined
    ? NOT_APPLICABLE
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const ROWS = [
  [
    'fires run / fire keys',
    (r) => `${r.fires.toLocaleString('en-US')} / ${r.expected.toLocaleString('en-US')}`,
  ],
  ['duplicates / misses', (r) => `${r.duplicates} / ${r.misses}`],
  ['lateness p50 (ms)', (r) => number(r.latenessMs.p50, 2)],
  ['lateness p99 (ms)', (r) => number(r.latenessMs.p99, 2)],
  ['lateness max (ms)', (r) => number(r.latenessMs.max, 2)],
  ['statements per fire', (r) => number(r.statementsPerFire, 3)],
  ['worker CPU, 4 processes (% of one core)', (r) => number(r.workerCpuPercent, 1)],
  ['PostgreSQL CPU (% of one core)', (r) => number(r.databaseCpuPercent, 1)],
  ['machine load average at the window’s end (1 min)', (r) => number(r.loadAverage, 2)],
];

/** The markdown table: metrics down (one block per load level), libraries across. */
export function buildTable({ results, loads, libraries, versions }) {
  const lines = [
    `| metric | ${libraries.map((key) => TITLES[key](versions)).join(' | ')} |`,
    `|---|${libraries.map(() => '---:').join('|')}|`,
  ];
  for (const jobs of loads) {
    const window = Object.values(results[jobs] ?? {}).find(
      (result) => result.error === undefined,
    )?.windowSeconds;
    lines.push(
      `| **${jobs.toLocaleString('en-US')} fires/s** (${jobs.toLocaleString('en-US')} jobs, every second${window === undefined ? '' : `, ${window} s`}) |${libraries.map(() => ' ').join('|')}|`,
    );
    for (const [label, cell] of ROWS) {
      const cells = libraries.map((key) => {
        const result = results[jobs]?.[key];
        if (result === undefined) return NOT_APPLICABLE;
        if (result.error !== undefined) return 'error';
        return cell(result);
      });
      lines.push(`| ${label} | ${cells.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

const ok = (result) => result !== undefined && result.error === undefined;
const verdict = (pass) => (pass ? 'PASS' : 'FAIL');
const ratio = (theirs, ours) => (ours > 0 ? `${(theirs / ours).toFixed(2)}x` : 'n/a (ours is 0)');

/** PASS/FAIL lines for the issue's targets, then ratios against each peer. */
export function evaluateTargets(results, loads) {
  const lines = [];
  if (loads.every((jobs) => results[jobs]?.hookdex === undefined)) {
    return ['INFO  @hookdex/scheduler was not run: no targets evaluated'];
  }
  const ours = loads.map((jobs) => [jobs, results[jobs]?.hookdex]);
  const measured = ours.filter(([, result]) => ok(result));
  if (measured.length > 0) {
    const total = measured.reduce((sum, [, result]) => sum + result.duplicates, 0);
    const parts = measured.map(
      ([jobs, result]) => `${result.duplicates} at ${jobs.toLocaleString('en-US')}/s`,
    );
    lines.push(
      `${verdict(total === 0)}  @hookdex/scheduler: 0 duplicates across 4 processes: ${parts.join(', ')}`,
    );
  } else lines.push('FAIL  @hookdex/scheduler: 0 duplicates across 4 processes: not measured');
  const high = results[1000]?.hookdex;
  if (ok(high)) {
    lines.push(
      `${verdict(high.latenessMs.p99 < P99_TARGET_MS)}  @hookdex/scheduler: p99 lateness under ${P99_TARGET_MS} ms at 1,000 fires/s: ${number(high.latenessMs.p99, 2)} ms`,
    );
  } else if (loads.includes(1000)) {
    lines.push(
      `FAIL  @hookdex/scheduler: p99 lateness under ${P99_TARGET_MS} ms at 1,000 fires/s: not measured`,
    );
  }
  for (const [jobs, result] of measured) {
    if (result.misses > 0) {
      const skipped = result.diagnostics['skipped (window)'] ?? 0;
      lines.push(
        `INFO  @hookdex/scheduler missed ${result.misses} fire keys at ${jobs}/s (${skipped} of them reported \`skipped\`: the job's previous run was still recorded as running, maxInstances 1)`,
      );
    }
  }
  for (const jobs of loads) {
    const mine = results[jobs]?.hookdex;
    if (!ok(mine)) continue;
    for (const peer of PEERS) {
      const theirs = results[jobs]?.[peer];
      if (!ok(theirs)) continue;
      const at = `at ${jobs.toLocaleString('en-US')} fires/s`;
      lines.push(
        `RATIO ${peer} / ours ${at}: p50 lateness ${number(theirs.latenessMs.p50, 2)} / ${number(mine.latenessMs.p50, 2)} ms = ${ratio(theirs.latenessMs.p50, mine.latenessMs.p50)}; p99 ${number(theirs.latenessMs.p99, 2)} / ${number(mine.latenessMs.p99, 2)} ms = ${ratio(theirs.latenessMs.p99, mine.latenessMs.p99)}; statements per fire ${number(theirs.statementsPerFire, 3)} / ${number(mine.statementsPerFire, 3)} = ${ratio(theirs.statementsPerFire, mine.statementsPerFire)}; duplicates ${theirs.duplicates} / ${mine.duplicates}`,
      );
    }
  }
  return lines;
}

/** The "how each library was driven" section of DISTRIBUTED.md. */
export function methodNotes({ versions, libraries, loads }) {
  const options = (key) =>
    JSON.stringify(libraries.find((library) => library.key === key)?.options(Math.max(...loads)) ?? {});
  const ourOptions = options('hookdex') === '{}' ? '' : `; ${options('hookdex')} passed`;
  return [
    `- **@hookdex/scheduler** (${versions.hookdex}, built \`dist/cluster\`): each of the 4 processes runs a \`ClusterScheduler\` over \`PostgresJobStore(pgPoolPort(new pg.Pool()))\` (pg's default pool of 10 connections, as the peers use) with default options (\`leaseMs\` 30,000, \`pollIntervalMs\` 5,000, \`batchSize\` 500${ourOptions}) and \`add()\`s the same N jobs \`{ cron: '* * * * * *' }\` with \`misfireGraceTime: null\` (as in the in-process benchmark, so a late fire runs rather than being reported missed; the peers have no grace time either). Nothing else drives it: whichever process locks a due schedule (\`FOR UPDATE SKIP LOCKED\`) materialises and runs its fire; LISTEN/NOTIFY plus the database's next fire time wake the processes. The slot is the callback's \`scheduledAt\`.`,
    `- **pg-boss** (${versions['pg-boss']}): its scheduler cannot fire every second. \`schedule()\` is evaluated by one elected process every \`cronMonitorIntervalSeconds\` (default 30 s, at least 1 s) and sends each schedule at most once per 60 s (a 60 s \`singletonSeconds\` bucket): one fire per job per minute, up to ~35 s late. The closest it offers for per-second work is sending jobs with \`startAfter\`: process 0 is also the producer and, 1 s before each whole second, \`insert()\`s that second's N jobs (\`{ name, data: { job, slot }, startAfter: <the second, ISO> }\`) in one statement, so the jobs wait in the table and become fetchable exactly at their second. All 4 processes \`work()\` the queue with ${options('pg-boss')} (N = the load): pg-boss 10 has no LISTEN/NOTIFY, its workers poll, and 0.5 s is the shortest interval it accepts (default 2 s). Processes started together would poll in step (every fire waiting for the same poll, its worst case), so their polling loops are started 125 ms apart (a quarter of the interval), the first 62.5 ms after a whole second, so that together they look at the queue about every 125 ms (each loop then drifts by its own timer lateness, so by the window the phases are arbitrary, as in a real deployment, and whichever poll comes first after the second takes the whole batch); a batch as large as one second's fires lets one poll start them all (the default \`batchSize\` 1 starts one job per poll per process, 8 per second here). \`schedule: false\` turns off its unused cron monitor; maintenance (expiry, retry, archive) keeps its defaults. A single producer is the cheapest fair way to drive it (one statement per second) but has no failover; pg-boss's exactly-once is then the queue's (one row per job, \`FOR UPDATE SKIP LOCKED\` fetch). The slot is the job's \`data.slot\`.`,
    `- **graphile-worker** (${versions['graphile-worker']}): its crontab has minute resolution (and UTC only), so it cannot fire every second either. The closest it offers is adding jobs: process 0 is also the producer and, at each whole second, adds that second's N jobs with one \`addJobs()\` call (one statement, \`run_at\` = the second), whose NOTIFY wakes the runners of all 4 processes at once; adding them ahead with a future \`run_at\` would leave them to its 2 s \`pollInterval\`, which is slower. Runner options: ${options('graphile-worker')}: the batching its performance docs recommend for many short jobs (defaults: \`concurrency\` 1, no local queue, no completion batching; in a trial on this machine the defaults ran about 160 jobs/s across the 4 processes and fell ever further behind at 1,000 fires/s), otherwise defaults (\`pollInterval\` 2,000, \`maxPoolSize\` 10). The producer's own timer lateness is part of the measured lateness, as ours is. Completed jobs are deleted, failed ones retried (at least once). The slot is the job's \`payload.slot\`.`,
    '- The same `pg` copy serves all three (checked at start by each worker: the library must resolve `pg` to the file whose `Client#query` was wrapped); statements of the prepare step (migrations, tables, queue) and of start-up are not counted, only those sent inside the window. `pg_stat_statements` is available on this server but not preloaded (`shared_preload_libraries` is empty), so statements are counted on the client.',
    '- Duplicates are counted per fire key (job, second) across the 4 processes; pg-boss and graphile-worker run each queued job at least once, so a duplicate there would need a job to run twice (a crash or an expired lock), while ours would need a fire materialised or claimed twice.',
  ];
}

/** Things in the results worth a second look: failed runs, early or unrecorded fires, errors. */
export function anomalies(results) {
  const notes = [];
  for (const [jobs, byLibrary] of Object.entries(results)) {
    for (const [library, result] of Object.entries(byLibrary)) {
      const at = `${jobs}/s ${library}`;
      if (result.error !== undefined) {
        notes.push(`${at}: ${result.error}`);
        continue;
      }
      if (result.early > 0) notes.push(`${at}: ${result.early} fires started before their second`);
      if (result.offSlot > 0) notes.push(`${at}: ${result.offSlot} fires for no slot of the window`);
      if (result.overflow > 0) notes.push(`${at}: ${result.overflow} fires not recorded (buffer full)`);
      if (result.stderrLines > 0) notes.push(`${at}: ${result.stderrLines} lines on stderr`);
      for (const [name, value] of Object.entries(result.diagnostics)) {
        if (!/^(coalesced|skipped|missed)$/.test(name)) notes.push(`${at}: ${value} × ${name}`);
      }
    }
  }
  return notes;
}
