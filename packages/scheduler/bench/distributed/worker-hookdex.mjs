// One @hookdex/scheduler process of the distributed benchmark: a ClusterScheduler on the built
// dist/cluster over PostgresJobStore; every process adds the same jobs (`add` of an identical job
// only registers the callback) and any of them may materialise and run a fire.
// Usage (by run.mjs): node bench/distributed/worker-hookdex.mjs '<settings JSON>'
import { count, diagnostics, fail, inWindow, pg, record, serve, settings } from './worker-common.mjs';

const PATTERN = '* * * * * *';

try {
  const { ClusterScheduler, PostgresJobStore, pgPoolPort } = await import('@hookdex/scheduler/cluster');
  // NOTE: pg's default pool size (10), as pg-boss and graphile-worker use by default.
  const pool = new pg.Pool({ connectionString: settings.databaseUrl });
  pool.on('error', () => count('pool error'));
  const store = new PostgresJobStore(pgPoolPort(pool), { schema: settings.schema, prefix: 'bench_' });
  if (process.env.BENCH_PROFILE === '1') profile(store);
  if (settings.role === 'prepare') {
    await store.setup();
    await pool.end();
    process.exit(0);
  }
  // NOTE: the scheduler options come from run.mjs (LIBRARIES), so the report states what was used.
  const scheduler = new ClusterScheduler({ store, nodeId: `bench-${settings.index}`, ...settings.options });
  for (const event of ['missed', 'skipped', 'coalesced', 'lost', 'abandoned', 'retried', 'error']) {
    // NOTE: the window's own fires are counted apart: warm-up and shutdown have theirs too.
    scheduler.on(event, ({ scheduledAt }) =>
      count(inWindow(scheduledAt.getTime()) ? `${event} (window)` : event),
    );
  }
  scheduler.on('storeError', ({ operation, error }) => count(`storeError ${operation}: ${error.message}`));
  for (let job = 0; job < settings.jobs; job++) {
    await scheduler.add({
      id: `job-${job}`,
      trigger: { cron: PATTERN },
      // NOTE: as in the in-process benchmark, a late fire still runs (no 1 s misfire grace), so
      // lateness is measured rather than hidden as misses; the peers have no grace time either.
      misfireGraceTime: null,
      run: ({ scheduledAt }) => record(job, scheduledAt.getTime()),
    });
  }
  await scheduler.start();
  if (process.env.BENCH_PROFILE === '1') {
    // The scheduler's estimate of store clock minus local clock (private; read for investigations).
    const offsets = [];
    setInterval(() => offsets.push(Math.round(scheduler.offsetMs)), 50).unref();
    diagnostics.offsetMs = offsets;
  }
  await serve(async () => {
    await scheduler.shutdown({ wait: true, timeoutMs: 2000 });
    await pool.end();
  });
} catch (error) {
  fail(error);
}

/**
 * BENCH_PROFILE=1: times every store call and reports, per method, how many ran, their durations
 * and when in the second they started (ms after the whole second), for investigations.
 */
function profile(store) {
  const calls = {};
  for (const method of ['fire', 'claim', 'finish', 'reap', 'wakeHint', 'renew', 'release']) {
    const original = store[method].bind(store);
    store[method] = async (...parameters) => {
      const started = Date.now();
      try {
        return await original(...parameters);
      } finally {
        calls[method] ??= [];
        calls[method].push([started % 1000, Date.now() - started, Math.floor(started / 1000)]);
      }
    };
  }
  diagnostics.profile = calls;
}
