// A short tour of @hookdex/scheduler: a cron job, an interval job and a daemon fire for a few
// seconds, then the scheduler shuts down gracefully. Run with `pnpm demo` from the repository root.
import { Scheduler } from '@hookdex/scheduler';

const seconds = Number(process.env.DEMO_SECONDS ?? 10);
const started = Date.now();
const stamp = () => `+${((Date.now() - started) / 1000).toFixed(3)}s`;

const scheduler = new Scheduler({ jobDefaults: { onError: 'continue' } });

scheduler.add({
  id: 'every-two-seconds',
  trigger: { cron: '*/2 * * * * *' },
  run: ({ scheduledAt }) => {
    console.log(`${stamp()}  cron      fired for ${scheduledAt.toISOString()}`);
  },
});

scheduler.add({
  id: 'every-three-seconds',
  trigger: { interval: 3 },
  run: async ({ scheduledAt }) => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    console.log(`${stamp()}  interval  fired for ${scheduledAt.toISOString()} (took 100 ms)`);
  },
});

scheduler.add({
  id: 'status-reporter',
  trigger: { daemon: true },
  run: async ({ signal }) => {
    console.log(`${stamp()}  daemon    started`);
    while (!signal.aborted) {
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, 4000);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (!signal.aborted) console.log(`${stamp()}  daemon    ${scheduler.list().length} jobs scheduled`);
    }
    console.log(`${stamp()}  daemon    stopped cleanly`);
  },
});

scheduler.on('error', ({ jobId, error }) => console.error(`${stamp()}  ${jobId} failed: ${error.message}`));

console.log(`Scheduling 3 jobs for ${seconds} s. Next fire times:`);
for (const job of scheduler.list()) {
  console.log(
    `  ${job.id.padEnd(20)} ${job.kind.padEnd(9)} ${job.nextRunAt?.toISOString() ?? '(starts with the scheduler)'}`,
  );
}
scheduler.start();

setTimeout(async () => {
  const result = await scheduler.shutdown({ wait: true, timeoutMs: 5000 });
  console.log(`${stamp()}  shut down (timed out: ${result.timedOut}, runs left: ${result.pending})`);
}, seconds * 1000);
