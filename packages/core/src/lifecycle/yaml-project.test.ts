import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  counters,
  createApp,
  createProject,
  DATABASES,
  FakeTime,
  type TestProject,
} from '../_test/project.js';
import { loadConfig } from '../config/load-config.js';

// The seed's hooks and jobs, end to end: YAML in, hooks fired by jobs with checked arguments, SQL run.
describe.each(DATABASES)('a project from hookdex.yaml on $name', ({ kind }) => {
  let project: TestProject;
  beforeEach(() => {
    project = createProject(kind);
  });
  afterEach(async () => {
    await project.cleanup();
  });

  it('runs the seed hooks page: calculate_stats fired by a crontab job and an interval job', async () => {
    const database =
      kind === 'sqlite'
        ? 'database:\n  kind: sqlite\n  path: test.sqlite\n'
        : `database:\n  kind: postgres\n  url: \${DATABASE_URL}\n  schema: ${(project.database as { schema: string }).schema}\n`;
    writeFileSync(
      path.join(project.dir, 'hookdex.yaml'),
      `${database}
hooks:
  calculate_stats:
    callback: calculate_stats
    atomic: False
    args:
      major: bool
      depth: Optional[int]

jobs:
  midnight_stats:
    hook: calculate_stats
    crontab: "0 0 * * *"
    args:
      major: True
  minute_stats:
    hook: calculate_stats
    interval: 60
    args:
      major: False

advanced:
  scheduler:
    apscheduler.job_defaults.coalesce: True
    apscheduler.job_defaults.max_instances: 3
`,
    );
    project.writeSql(
      'calculate_stats/10_count.sql',
      "INSERT INTO counter (key, value) VALUES (CASE WHEN :major THEN 'major' ELSE 'minor' END, 1)\n" +
        'ON CONFLICT (key) DO UPDATE SET value = counter.value + 1;',
    );
    const config = await loadConfig([path.join(project.dir, 'hookdex.yaml')], {
      env: { DATABASE_URL: process.env.DATABASE_URL },
    });
    expect(config.advanced.scheduler).toEqual({
      coalesce: true,
      maxInstances: 3,
      misfireGraceTime: 1,
      timezone: 'UTC',
      jobStore: 'memory',
    });
    const time = new FakeTime({ now: '2024-12-31T23:58:30Z' });
    const seen: string[] = [];
    const { app } = createApp(config, {
      time,
      hooks: {
        calculate_stats: async (ctx, args: { major: boolean; depth?: number | null }) => {
          seen.push(`${args.major}/${args.depth ?? '-'}`);
          await ctx.executeSql('calculate_stats', { major: args.major });
        },
      },
    });
    await app.start();
    for (let step = 0; step < 4; step++) {
      await time.advance(30_000);
      await vi.waitFor(async () =>
        expect((await app.jobs.list()).every((job) => job.running === 0)).toBe(true),
      );
    }
    expect(seen).toEqual(['false/-', 'true/-', 'false/-']);
    expect(await counters(app)).toEqual(['major=1', 'minor=2']);
    await app.stop();
  });
});
