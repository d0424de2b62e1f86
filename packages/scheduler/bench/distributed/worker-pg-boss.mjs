// One pg-boss 10 process of the distributed benchmark. pg-boss's `schedule()` cannot fire every
// second (see the method notes in report.mjs), so the closest it offers drives it: process 0 is
// also the producer and, one second ahead of each whole second, `insert()`s that second's fires in
// one statement with `startAfter` set to it; all four processes `work()` the queue (pg-boss 10 has
// no LISTEN/NOTIFY: its workers poll, at most every 0.5 s).
// Usage (by run.mjs): node bench/distributed/worker-pg-boss.mjs '<settings JSON>'
import { createRequire } from 'node:module';
import { sleepUntil } from '../scenarios/common.mjs';
import { assertSamePg, count, fail, record, serve, settings } from './worker-common.mjs';

const QUEUE = 'bench-fire';
const PRODUCE_AHEAD_MS = 1000;

try {
  const require = createRequire(import.meta.url);
  assertSamePg(require.resolve('pg-boss'));
  const { default: PgBoss } = await import('pg-boss');
  const boss = new PgBoss({
    connectionString: settings.databaseUrl,
    schema: settings.schema,
    // NOTE: its cron monitor (`schedule()`) is not used here, so it is off; maintenance (expiry,
    // retries, archiving) keeps its defaults, as our reaper runs in every process too.
    schedule: false,
  });
  boss.on('error', (error) => count(`error: ${error.message}`));
  await boss.start();
  if (settings.role === 'prepare') {
    await boss.createQueue(QUEUE);
    await boss.stop({ graceful: false, close: true });
    process.exit(0);
  }
  // NOTE: processes started together poll in step (pg-boss does not spread them), so each fire
  // would wait for the same poll: its worst case. Their loops start a quarter of the polling
  // interval apart instead, so that together they look at the queue four times as often, and half
  // a step after the whole second (aligned on the second, a poll would catch every fire at once, a
  // best case no real deployment gets); each loop then drifts by its own timer lateness.
  const stepMs = (settings.options.pollingIntervalSeconds * 1000) / settings.workers;
  await sleepUntil(Math.ceil(Date.now() / 1000) * 1000 + (settings.index + 0.5) * stepMs);
  // NOTE: the work options come from run.mjs (LIBRARIES), so the report states what was used.
  await boss.work(QUEUE, settings.options, async (jobs) => {
    for (const job of jobs) record(job.data.job, job.data.slot);
  });
  let producing = settings.index === 0;
  const produced = (async () => {
    if (!producing) return;
    let slot = Math.ceil((Date.now() + PRODUCE_AHEAD_MS) / 1000) * 1000 + 1000;
    while (producing) {
      await sleepUntil(slot - PRODUCE_AHEAD_MS);
      if (!producing) break;
      const startAfter = new Date(slot).toISOString();
      const batch = Array.from({ length: settings.jobs }, (_, job) => ({
        name: QUEUE,
        data: { job, slot },
        startAfter,
      }));
      await boss.insert(batch);
      slot += 1000;
    }
  })();
  await serve(async () => {
    producing = false;
    await produced;
    await boss.stop({ graceful: false, close: true });
  });
} catch (error) {
  fail(error);
}
