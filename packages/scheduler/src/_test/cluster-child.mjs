// One replica of a cluster for cluster-processes.test.ts: a ClusterScheduler of the BUILT package on
// PostgreSQL, whose jobs record their effects in `<prefix>effects` and which prints one JSON line per
// event on stdout. Build first (`pnpm -F @hookdex/scheduler build`); `.ci/run` does.
//
// Usage: node cluster-child.mjs '<role as JSON>'
//   role: { databaseUrl, prefix, nodeId, skewMs?, leaseMs?, pollIntervalMs?,
//           jobs: [{ id, trigger, options?, durationMs?, hang?, heartbeatMs? }] }
//   trigger: as the scheduler takes it ({ cron }, { interval }, { date: ISO string }, { daemon: true }).
//   durationMs: how long a run sleeps (cut short when its signal aborts).
//   hang: the run waits until its signal aborts (a daemon), writing its end time every heartbeatMs.
// SIGTERM shuts the scheduler down gracefully; SIGKILL and SIGSTOP are what the tests are about.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pg = require('pg');
const { ClusterScheduler, PostgresJobStore, pgPoolPort } = await import('../../dist/cluster/index.js');

const role = JSON.parse(process.argv[2] ?? '{}');
const { databaseUrl, prefix, nodeId } = role;
const skewMs = role.skewMs ?? 0;

/** One JSON line per event; the test reads them from stdout. */
function emit(type, fields = {}) {
  process.stdout.write(`${JSON.stringify({ type, node: nodeId, localAt: Date.now(), ...fields })}\n`);
}

const time = (date) => (date instanceof Date ? date.toISOString() : date);

// NOTE: the scheduler and the effects get separate pools, so a burst of callbacks never delays a
// lease renewal waiting for a connection.
const schedulerPool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
const effectsPool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
for (const pool of [schedulerPool, effectsPool]) {
  pool.on('error', (error) => emit('poolError', { message: error.message }));
}
const effects = `"${prefix}effects"`;

function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** A job's callback: records its effect (start, end, by the database clock) in autocommit. */
function callbackOf(job) {
  return async ({ jobId, scheduledAt, signal, fireKey, attempt }) => {
    const [effect] = (
      await effectsPool.query(
        `INSERT INTO ${effects} (fire_key, job_id, node_id, attempt, started_at)
         VALUES ($1, $2, $3, $4, clock_timestamp()) RETURNING id`,
        [fireKey, jobId, nodeId, attempt],
      )
    ).rows;
    emit('started', { jobId, fireKey, attempt, scheduledAt: time(scheduledAt) });
    signal.addEventListener('abort', () =>
      emit('aborted', { jobId, fireKey, attempt, reason: String(signal.reason?.message ?? signal.reason) }),
    );
    const end = () =>
      effectsPool.query(`UPDATE ${effects} SET ended_at = clock_timestamp(), aborted = $2 WHERE id = $1`, [
        effect.id,
        signal.aborted,
      ]);
    if (job.hang) {
      while (!signal.aborted) {
        await sleep(job.heartbeatMs ?? 200, signal);
        await end();
      }
    } else {
      await sleep(job.durationMs ?? 0, signal);
      await end();
    }
    emit('finished', { jobId, fireKey, attempt, aborted: signal.aborted });
  };
}

const store = new PostgresJobStore(pgPoolPort(schedulerPool), { prefix });
const scheduler = new ClusterScheduler({
  store,
  nodeId,
  leaseMs: role.leaseMs ?? 2000,
  pollIntervalMs: role.pollIntervalMs ?? 1000,
  clock: { now: () => Date.now() + skewMs },
});

scheduler.on('missed', (event) =>
  emit('missed', { jobId: event.jobId, scheduledAt: time(event.scheduledAt) }),
);
scheduler.on('skipped', (event) =>
  emit('skipped', { jobId: event.jobId, scheduledAt: time(event.scheduledAt) }),
);
scheduler.on('coalesced', (event) =>
  emit('coalesced', {
    jobId: event.jobId,
    scheduledAt: time(event.scheduledAt),
    first: time(event.firstScheduledAt),
    last: time(event.lastScheduledAt),
  }),
);
for (const name of ['abandoned', 'retried', 'lost']) {
  scheduler.on(name, (event) =>
    emit(name, {
      jobId: event.jobId,
      scheduledAt: time(event.scheduledAt),
      attempt: event.attempt,
      owner: event.owner,
      reason: event.reason,
    }),
  );
}
scheduler.on('error', (event) => emit('error', { jobId: event.jobId, message: event.error.message }));
scheduler.on('storeError', (event) =>
  emit('storeError', { operation: event.operation, message: event.error.message }),
);

// NOTE: the test holds our stdin open; if it dies without killing us, we do not outlive it.
process.stdin.on('end', () => process.exit(1));
process.stdin.resume();

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await scheduler.shutdown({ timeoutMs: 5000 });
    await Promise.all([schedulerPool.end(), effectsPool.end()]);
    emit('exited');
    process.exit(0);
  })();
});

try {
  for (const job of role.jobs) {
    await scheduler.add({ id: job.id, trigger: job.trigger, ...job.options, run: callbackOf(job) });
  }
  await scheduler.start();
  emit('ready', { pid: process.pid });
} catch (error) {
  emit('fatal', { message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
