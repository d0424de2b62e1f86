// One graphile-worker 0.17 process of the distributed benchmark. Its crontab fires at most once a
// minute (see the method notes in report.mjs), so the closest it offers drives it: process 0 is
// also the producer and, at each whole second, adds that second's fires in one `addJobs()` call
// (one statement, run_at = the second); its NOTIFY wakes all four runners, which take the jobs at once.
// Usage (by run.mjs): node bench/distributed/worker-graphile-worker.mjs '<settings JSON>'
import { createRequire } from 'node:module';
import { sleepUntil } from '../scenarios/common.mjs';
import { assertSamePg, count, fail, record, serve, settings } from './worker-common.mjs';

try {
  const require = createRequire(import.meta.url);
  assertSamePg(require.resolve('graphile-worker'));
  const { Logger, makeWorkerUtils, run, runMigrations } = await import('graphile-worker');
  const quiet = new Logger(() => (level, message) => {
    if (level === 'error') count(`error: ${message}`);
  });
  const connection = { connectionString: settings.databaseUrl, schema: settings.schema, logger: quiet };
  if (settings.role === 'prepare') {
    await runMigrations(connection);
    process.exit(0);
  }
  // NOTE: the runner options come from run.mjs (LIBRARIES), so the report states what was used.
  const options = settings.options;
  const runner = await run({
    ...connection,
    concurrency: options.concurrency,
    noHandleSignals: true,
    taskList: {
      fire: async (payload) => {
        record(payload.job, payload.slot);
      },
    },
    preset: {
      worker: {
        // NOTE: null or absent leaves graphile-worker's default.
        ...(options.localQueue == null ? {} : { localQueue: options.localQueue }),
        ...(options.completeJobBatchDelay == null
          ? {}
          : { completeJobBatchDelay: options.completeJobBatchDelay }),
      },
    },
  });
  let producing = settings.index === 0;
  const utilities = producing ? await makeWorkerUtils(connection) : undefined;
  const produced = (async () => {
    if (utilities === undefined) return;
    let slot = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    while (producing) {
      await sleepUntil(slot);
      if (!producing) break;
      const runAt = new Date(slot);
      await utilities.addJobs(
        Array.from({ length: settings.jobs }, (_, job) => ({
          identifier: 'fire',
          payload: { job, slot },
          runAt,
        })),
      );
      slot += 1000;
    }
  })();
  await serve(async () => {
    producing = false;
    await produced;
    await utilities?.release();
    await runner.stop();
  });
} catch (error) {
  fail(error);
}
