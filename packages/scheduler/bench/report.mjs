// Turns the children's JSON results into the markdown table, the target verdicts and RESULTS.md.

export const PATTERNS = ['* * * * * *', '0 30 2 * * *', '0 0 0 L * *', '0 0 0 29 2 *'];
const PEERS = ['croner', 'node-cron', 'node-schedule', 'toad'];
const NOT_APPLICABLE = '–';

/** The table's columns, left to right. */
export function columns(versions) {
  return [
    { key: 'hookdex', title: '@hookdex/scheduler' },
    { key: 'floor', title: 'floor (raw setTimeout)' },
    { key: 'croner', title: `croner ${versions.croner}` },
    { key: 'node-cron', title: `node-cron ${versions['node-cron']}` },
    { key: 'node-schedule', title: `node-schedule ${versions['node-schedule']}` },
    { key: 'toad', title: `toad-scheduler ${versions['toad-scheduler']}` },
    { key: 'setInterval', title: 'setInterval' },
  ];
}

const number = (value, digits = 1) =>
  value === null || value === undefined
    ? NOT_APPLICABLE
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** One row: a label and a function from a library's result to its cell. */
function rows(idleSeconds, driftSeconds) {
  const dispatch = (cell) => ({ scenario: 'dispatch', cell });
  const idle = (cell) => ({ scenario: 'idle', cell });
  const drift = (cell) => ({ scenario: 'drift', cell });
  const nextFire = (pattern) => ({
    scenario: 'next-fire',
    cell: (result, library) => {
      if (library === 'toad') return '= croner ²';
      const value = result.results.default[pattern]?.microsecondsPerNext;
      if (library === 'node-cron') return `${number(value, 1)} ³`;
      if (library === 'node-schedule') return `${number(value, 1)} ⁴`;
      return number(value, 1);
    },
  });
  return [
    ['**1. 1,000 jobs `* * * * * *`, 10 s**', null],
    ['lateness p50 (ms)', dispatch((r) => number(r.latenessMs.p50, 2))],
    ['lateness p99 (ms)', dispatch((r) => number(r.latenessMs.p99, 2))],
    ['lateness max (ms)', dispatch((r) => number(r.latenessMs.max, 2))],
    ['fires (of 10,000)', dispatch((r) => r.fires.toLocaleString('en-US'))],
    ['duplicates / misses', dispatch((r) => `${r.duplicates} / ${r.misses}`)],
    ['CPU (% of one core)', dispatch((r) => number(r.cpuPercent, 2))],
    ['**2. 10,000 idle jobs `0 0 0 1 1 *`**', null],
    ['creation (ms)', idle((r) => number(r.createMs, 0))],
    ['heap per job (KB)', idle((r) => number(r.heapPerJobBytes / 1024, 2))],
    ['RSS growth (MB)', idle((r) => number(r.rssGrowthMB, 1))],
    [`idle CPU over ${idleSeconds} s (% of one core)`, idle((r) => number(r.idleCpuPercent, 4))],
    ['CPU in the 12 s after creation (% of one core)', idle((r) => number(r.settleCpuPercent, 4))],
    ['**3. µs per next fire time (UTC)** ¹', null],
    ...PATTERNS.map((pattern) => [`\`${pattern}\``, nextFire(pattern)]),
    [`**4. 1 s interval, ${driftSeconds} s** ⁵`, null],
    ['lateness at last fire (ms)', drift((r) => number(r.latenessMs.last, 2))],
    ['lateness max (ms)', drift((r) => number(r.latenessMs.max, 2))],
    ['fires / misses / duplicates', drift((r) => `${r.fires} / ${r.misses} / ${r.duplicates}`)],
  ];
}

/** The markdown table: metrics down, libraries across. */
export function buildTable({ results, versions, idleSeconds, driftSeconds }) {
  const cols = columns(versions);
  const lines = [
    `| metric | ${cols.map((column) => column.title).join(' | ')} |`,
    `|---|${cols.map(() => '---:').join('|')}|`,
  ];
  for (const [label, spec] of rows(idleSeconds, driftSeconds)) {
    if (spec === null) {
      lines.push(`| ${label} |${cols.map(() => ' ').join('|')}|`);
      continue;
    }
    const cells = cols.map((column) => {
      if (spec.scenario === 'next-fire' && column.key === 'toad') return spec.cell(undefined, 'toad');
      const entry = results[spec.scenario]?.[column.key];
      if (entry === undefined) return NOT_APPLICABLE;
      if (entry.error !== undefined) return 'error';
      return spec.cell(entry, column.key);
    });
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Footnotes that belong to the table. */
export function footnotes({ results, versions, driftConcurrent }) {
  const croner = results['next-fire']?.croner;
  const local = croner?.results?.hostLocal;
  const localText = local
    ? PATTERNS.map((pattern) => `\`${pattern}\` ${number(local[pattern]?.microsecondsPerNext, 1)}`).join(', ')
    : 'not measured';
  const nodeSchedule = results['next-fire']?.['node-schedule'];
  return [
    `¹ Median of 5 repetitions after warm-up; each repetition computes N successive next times from 2025-01-01T00:00Z (N = 1,000, or 100 for the two sparse patterns) and divides by N. Ours: \`cronFireTimes(pattern, { after, count })\` minus a count-0 call (its parse). croner: \`new Cron(pattern, { paused: true, timezone: 'UTC' }).nextRuns(n, from)\`; without the \`timezone\` option (host-local time, the host runs in UTC) croner takes ${localText} µs.`,
    `² toad-scheduler's CronJob hands the pattern to croner (its own dependency, croner ${versions.toadCroner}); not measured separately.`,
    '³ node-cron has no "next after a given date" API: `createTask(pattern, fn, { timezone: "UTC" }).getNextRuns(n)` walks from now, so its sparse patterns start from today, not 2025-01-01.',
    `⁴ node-schedule keeps a cron-parser ${nodeSchedule?.method?.match(/cron-parser (\S+)/)?.[1] ?? '4'} expression per cron job and calls its \`next()\` once per fire; measured on that dependency directly (\`parseExpression(pattern, { currentDate, tz: 'UTC' })\`, \`reset()\`, then \`next()\` n times), which is what each fire costs node-schedule.`,
    `⁵ Ours \`{ interval: 1 }\`, the floor (setTimeout re-armed to start + k·1 s, re-checked against Date.now()), plain \`setInterval\` and toad's \`SimpleIntervalJob\` are measured against start + k·1 s. croner (\`'* * * * * *'\` with \`{ interval: 1 }\`) and node-schedule (\`'*/1 * * * * *'\`; it has no interval trigger, and a per-second cron or the equivalent RecurrenceRule is its closest equivalent) fire on whole seconds, so they are measured against the whole second they fire for and cannot drift by construction.${driftConcurrent ? ' The six scenario-4 processes ran at the same time (each is one idle 1 Hz job).' : ''}`,
  ].join('\n\n');
}

/** The targets of the issue, as verdict lines. */
export function evaluateTargets(results) {
  const verdict = (pass) => (pass ? 'PASS' : 'FAIL');
  const lines = [];
  const dispatch = results.dispatch ?? {};
  const ours = dispatch.hookdex;
  const floor = dispatch.floor;
  const missing = (what, scenario) =>
    results[scenario] === undefined
      ? `SKIP  ${what}: scenario ${scenario} not run`
      : `FAIL  ${what}: not measured (a child process failed)`;
  const ok = (entry) => entry !== undefined && entry.error === undefined;

  if (ok(ours) && ok(floor)) {
    const ratio = ours.latenessMs.p99 / floor.latenessMs.p99;
    lines.push(
      `${verdict(ratio <= 1.5)}  p99 lateness at 1,000 jobs/s within 1.5x the floor: ${ours.latenessMs.p99} ms vs ${floor.latenessMs.p99} ms = ${ratio.toFixed(2)}x`,
    );
  } else lines.push(missing('p99 lateness within 1.5x the floor', 'dispatch'));

  const peers = PEERS.map((library) => dispatch[library]).filter(ok);
  if (ok(ours) && peers.length > 0) {
    const best = peers.reduce((a, b) => (b.latenessMs.p99 < a.latenessMs.p99 ? b : a));
    const ratio = best.latenessMs.p99 / ours.latenessMs.p99;
    lines.push(
      `${verdict(ratio >= 5)}  p99 lateness at least 5x better than the best peer: ${best.library} ${best.latenessMs.p99} ms / ours ${ours.latenessMs.p99} ms = ${ratio.toFixed(2)}x`,
    );
    if (ok(floor)) {
      const floorRatio = best.latenessMs.p99 / floor.latenessMs.p99;
      lines.push(
        `INFO  for scale, the floor itself is ${floorRatio.toFixed(2)}x better than the best peer (${best.library} ${best.latenessMs.p99} ms / floor ${floor.latenessMs.p99} ms)`,
      );
    }
  } else lines.push(missing('p99 lateness 5x better than the best peer', 'dispatch'));

  const idleOurs = results.idle?.hookdex;
  const idleFloor = results.idle?.floor;
  if (ok(idleOurs)) {
    lines.push(
      `${verdict(idleOurs.heapPerJobBytes <= 1024)}  at most 1 KB of heap per job: ${idleOurs.heapPerJobBytes} bytes`,
    );
  } else lines.push(missing('at most 1 KB of heap per job', 'idle'));
  if (ok(idleOurs) && ok(idleFloor)) {
    const ratio = idleOurs.idleCpuPercent / idleFloor.idleCpuPercent;
    lines.push(
      `${verdict(ratio <= 1.5)}  idle CPU for 10,000 jobs within 1.5x the floor: ${idleOurs.idleCpuPercent} % vs ${idleFloor.idleCpuPercent} % (${idleOurs.idleCpuMs} ms vs ${idleFloor.idleCpuMs} ms of CPU) = ${ratio.toFixed(2)}x`,
    );
  } else lines.push(missing('idle CPU within 1.5x the floor', 'idle'));

  const driftOurs = results.drift?.hookdex;
  if (ok(ours)) {
    const parts = [`scenario 1: ${ours.duplicates} duplicates, ${ours.misses} misses`];
    let pass = ours.duplicates === 0 && ours.misses === 0;
    if (ok(driftOurs)) {
      parts.push(`scenario 4: ${driftOurs.duplicates} duplicates, ${driftOurs.misses} misses`);
      pass &&= driftOurs.duplicates === 0 && driftOurs.misses === 0;
    }
    lines.push(`${verdict(pass)}  zero duplicates and zero misses: ${parts.join('; ')}`);
  } else lines.push(missing('zero duplicates and zero misses', 'dispatch'));
  return lines;
}

/** Things in the results worth a second look: failed children, disagreeing fire times, odd counters. */
export function anomalies(results) {
  const notes = [];
  for (const [scenario, byLibrary] of Object.entries(results)) {
    for (const [library, entry] of Object.entries(byLibrary)) {
      if (entry.error !== undefined) notes.push(`${scenario} / ${library}: ${entry.error}`);
    }
  }
  const reference = results['next-fire']?.hookdex?.results?.default;
  for (const library of ['croner', 'node-schedule']) {
    const entry = results['next-fire']?.[library];
    if (reference === undefined || entry?.results === undefined) continue;
    for (const [variant, byPattern] of Object.entries(entry.results)) {
      for (const pattern of PATTERNS) {
        const theirs = byPattern[pattern];
        const ours = reference[pattern];
        if (theirs === undefined || ours === undefined) continue;
        if (theirs.last !== ours.last || theirs.first.join() !== ours.first.join()) {
          notes.push(
            `next-fire: ${library} (${variant}) disagrees with ours on \`${pattern}\`: first ${theirs.first[0]} vs ${ours.first[0]}, last ${theirs.last} vs ${ours.last}`,
          );
        }
      }
    }
  }
  for (const [library, entry] of Object.entries(results.dispatch ?? {})) {
    if (entry.error !== undefined) continue;
    if (entry.early > 0) notes.push(`dispatch / ${library}: ${entry.early} fires before their target`);
    if (entry.overflow > 0) notes.push(`dispatch / ${library}: ${entry.overflow} fires not recorded`);
    for (const [name, count] of Object.entries(entry.diagnostics ?? {})) {
      if (count > 0) notes.push(`dispatch / ${library}: ${count} \`${name}\` events`);
    }
  }
  for (const [library, entry] of Object.entries(results.idle ?? {})) {
    if (entry.error !== undefined || !(entry.majorGcsInWindow > 0)) continue;
    notes.push(
      `idle / ${library}: ${entry.majorGcsInWindow} full GCs (${entry.majorGcMsInWindow} ms) inside the idle window`,
    );
  }
  for (const [scenario, byLibrary] of Object.entries(results)) {
    for (const [library, entry] of Object.entries(byLibrary)) {
      if (Math.abs(entry.clockSkewMs ?? 0) > 0.5) {
        notes.push(
          `${scenario} / ${library}: measuring clock drifted ${entry.clockSkewMs} ms from Date.now()`,
        );
      }
    }
  }
  return notes;
}
