import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const work = mkdtempSync(join(tmpdir(), 'hookdex-scheduler-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Package names installed under node_modules (scoped ones as `@scope/name`). */
function installed(nodeModules: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      for (const inner of readdirSync(join(nodeModules, entry))) names.push(`${entry}/${inner}`);
    } else names.push(entry);
  }
  return names.sort();
}

describe('the packed package', () => {
  it('installs alone into an empty project and runs a cron job there', { timeout: 180_000 }, () => {
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    // `pnpm pack` runs the prepack script, which builds dist/.
    execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: packageDir, stdio: 'pipe' });
    const [tarball] = readdirSync(tarballs);
    expect(tarball).toMatch(/^hookdex-scheduler-.*\.tgz$/);
    const listing = execFileSync('tar', ['tzf', join(tarballs, tarball!)], { encoding: 'utf8' }).split('\n');
    expect(listing).toContain('package/dist/index.js');
    expect(listing).toContain('package/dist/testing.d.ts');
    expect(listing.some((file) => file.endsWith('.test.ts') || file.includes('/_test/'))).toBe(false);

    const project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'empty-project', private: true, type: 'module' }),
    );
    execFileSync(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
        join(tarballs, tarball!),
      ],
      { cwd: project, stdio: 'pipe', env: { ...process.env, npm_config_workspaces: 'false' } },
    );
    const cronParser = JSON.parse(
      readFileSync(join(project, 'node_modules/cron-parser/package.json'), 'utf8'),
    );
    // Our one runtime dependency is cron-parser; whatever it depends on comes with it, nothing else.
    expect(installed(join(project, 'node_modules'))).toEqual(
      ['@hookdex/scheduler', 'cron-parser', ...Object.keys(cronParser.dependencies ?? {})].sort(),
    );

    writeFileSync(
      join(project, 'main.js'),
      `import { Scheduler } from '@hookdex/scheduler';
import { FakeTime } from '@hookdex/scheduler/testing';
const fires = [];
const scheduler = new Scheduler();
scheduler.add({ id: 'every-second', trigger: { cron: '* * * * * *' }, run: ({ jobId, scheduledAt }) => {
  fires.push({ jobId, lateMs: Date.now() - scheduledAt.getTime() });
}});
scheduler.start();
setTimeout(async () => {
  await scheduler.shutdown();
  const time = new FakeTime();
  console.log(JSON.stringify({ fires, fake: typeof time.advance }));
}, 2100);
`,
    );
    const output = JSON.parse(execFileSync('node', ['main.js'], { cwd: project, encoding: 'utf8' }));
    expect(output.fake).toBe('function');
    expect(output.fires.length).toBeGreaterThanOrEqual(2);
    for (const fire of output.fires) {
      expect(fire.jobId).toBe('every-second');
      expect(fire.lateMs).toBeGreaterThanOrEqual(0);
      expect(fire.lateMs).toBeLessThan(500);
    }
  });
});
