import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookdex } from './_test/hookdex.js';
import { createProject, type FixtureProject } from './_test/project.js';

const CONFIG = `hooks:
  calculate_stats:
    callback: calculate_stats
    args:
      major: bool
  watch:
    callback: watch
jobs:
  nightly:
    hook: calculate_stats
    crontab: "30 2 * * *"
    args: { major: true }
  every_90_s:
    hook: calculate_stats
    interval: 90
    args: { major: false }
  watcher:
    hook: watch
    daemon: true
`;

describe('hookdex jobs list', () => {
  let project: FixtureProject;
  beforeAll(() => {
    project = createProject('sqlite');
    project.write('hookdex.yaml', CONFIG);
    project.write('berlin.yaml', 'advanced:\n  scheduler:\n    apscheduler.timezone: Europe/Berlin\n');
  });
  afterAll(async () => {
    await project.cleanup();
  });

  // 2025-03-30 is the night Berlin moves from +01:00 to +02:00: 02:30 does not exist there.
  const FROM = ['--from', '2025-03-29T12:00:00Z'];

  it('shows crontab, interval and daemon jobs with their next three fire times in UTC', async () => {
    const result = await hookdex(['jobs', 'list', ...FROM], { cwd: project.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      [
        'JOB         HOOK             TRIGGER               TIMEZONE  NEXT FIRE TIMES',
        'nightly     calculate_stats  crontab "30 2 * * *"  UTC       2025-03-30 02:30:00 +00:00, 2025-03-31 02:30:00 +00:00, 2025-04-01 02:30:00 +00:00',
        'every_90_s  calculate_stats  interval 90 s         UTC       2025-03-29 12:01:30 +00:00, 2025-03-29 12:03:00 +00:00, 2025-03-29 12:04:30 +00:00',
        'watcher     watch            daemon                UTC       starts with hookdex, runs until it stops',
        '',
      ].join('\n'),
    );
  });

  it('reads crontabs in the scheduler time zone, across a daylight-saving gap, and shows local offsets', async () => {
    const result = await hookdex(['-c', 'hookdex.yaml', '-c', 'berlin.yaml', 'jobs', 'list', ...FROM], {
      cwd: project.dir,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      [
        'JOB         HOOK             TRIGGER               TIMEZONE       NEXT FIRE TIMES',
        'nightly     calculate_stats  crontab "30 2 * * *"  Europe/Berlin  2025-03-30 03:00:00 +02:00, 2025-03-31 02:30:00 +02:00, 2025-04-01 02:30:00 +02:00',
        'every_90_s  calculate_stats  interval 90 s         Europe/Berlin  2025-03-29 13:01:30 +01:00, 2025-03-29 13:03:00 +01:00, 2025-03-29 13:04:30 +01:00',
        'watcher     watch            daemon                Europe/Berlin  starts with hookdex, runs until it stops',
        '',
      ].join('\n'),
    );
  });

  it('counts from now without --from, and refuses a --from without an offset', async () => {
    const started = Date.now();
    const [now, bad] = await Promise.all([
      hookdex(['jobs', 'list'], { cwd: project.dir }),
      hookdex(['jobs', 'list', '--from', '2025-03-29 12:00'], { cwd: project.dir }),
    ]);
    const firstInterval =
      /every_90_s\s+\S+\s+interval 90 s\s+UTC\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) \+00:00,/.exec(
        now.stdout,
      )?.[1];
    const fireTime = new Date(`${firstInterval?.replace(' ', 'T')}Z`).getTime();
    expect(fireTime - started).toBeGreaterThan(85_000);
    expect(fireTime - started).toBeLessThan(95_000);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'error: --from "2025-03-29 12:00": expected an ISO 8601 date-time with an offset, such as 2025-01-01T00:00:00Z\n',
    );
  });
});
