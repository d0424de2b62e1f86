import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hookdex, startHookdex } from './_test/hookdex.js';
import { createProject, DATABASES, type FixtureProject, scaffoldTemplate } from './_test/project.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every file of a project with its content and modification time (the database left out). */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((file) => !file.includes('hookdex.sqlite') && statSync(path.join(dir, file)).isFile())
      .sort()
      .map((file) => [
        file,
        `${statSync(path.join(dir, file)).mtimeMs} ${readFileSync(path.join(dir, file), 'utf8')}`,
      ]),
  );
}

let template: string;
beforeAll(async () => {
  template = await scaffoldTemplate();
});
afterAll(() => {
  rmSync(path.dirname(template), { recursive: true, force: true });
});

describe('hookdex new', () => {
  it('scaffolds a project with a configuration, package.json, tsconfig, a handler, a hook, jobs and the stubs', () => {
    const files = readdirSync(template, { recursive: true, encoding: 'utf8' }).map((file) =>
      file.split(path.sep).join('/'),
    );
    for (const file of [
      'hookdex.yaml',
      'package.json',
      'tsconfig.json',
      'src/index.ts',
      'src/models.ts',
      'handlers/on_transfer.ts',
      'hooks/calculate_stats.ts',
      'hooks/on_reindex.ts',
      'hooks/on_restart.ts',
      'hooks/on_synchronized.ts',
      'hooks/on_index_rollback.ts',
      'sql/on_reindex/10_top_holders.sql',
      'sql/calculate_stats/.keep',
      'types/hooks.d.ts',
    ]) {
      expect(files).toContain(file);
    }
    const manifest = JSON.parse(readFileSync(path.join(template, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'template', type: 'module', scripts: { start: 'hookdex run' } });
    expect(Object.keys(manifest.dependencies)).toContain('@hookdex/cli');
    expect(readFileSync(path.join(template, 'hookdex.yaml'), 'utf8')).toMatch(/jobs:\n {2}hourly_stats:/);
  });

  it('type-checks with tsc against @hookdex/core: stubs, generated declarations, entities, handler', async () => {
    const project = createProject('sqlite', template);
    try {
      // The packages a user's `npm install` would bring, linked from this repository.
      const own = (name: string) => realpathSync(path.join(packageRoot, 'node_modules', name));
      const links: Record<string, string> = {
        '@hookdex/core': own('@hookdex/core'),
        typeorm: own('typeorm'),
        'reflect-metadata': own('reflect-metadata'),
        '@types/node': own('@types/node'),
      };
      for (const [name, target] of Object.entries(links)) {
        mkdirSync(path.dirname(path.join(project.dir, 'node_modules', name)), { recursive: true });
        symlinkSync(target, path.join(project.dir, 'node_modules', name));
      }
      const tsc = path.join(own('typescript'), 'bin/tsc');
      const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], {
        cwd: project.dir,
        encoding: 'utf8',
      });
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    } finally {
      await project.cleanup();
    }
  });

  it('refuses a directory that is not empty, and names it', async () => {
    const result = await hookdex(['new', path.basename(template)], { cwd: path.dirname(template) });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^error: template: expected a new or empty directory, found \d+ entries/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe.each(DATABASES)('new, then init, then run on $name', ({ kind }) => {
  let project: FixtureProject;
  afterEach(async () => {
    await project.cleanup();
  });

  it('indexes to last_level and exits 0 by itself (one-shot), after on_reindex and on_restart', async () => {
    project = createProject(kind, template);
    project.write('oneshot.yaml', 'indexes:\n  transfers:\n    last_level: 30\n');
    project.write(
      'sql/on_restart/10_count_restarts.sql',
      "INSERT INTO stats (name, value, updated_at) VALUES ('restarts', 1, 'now')\n" +
        'ON CONFLICT (name) DO UPDATE SET value = stats.value + 1;\n',
    );
    const args = ['-c', 'hookdex.yaml', '-c', 'oneshot.yaml'];
    const init = await hookdex([...args, 'init'], { cwd: project.dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('Nothing to do');

    const first = await hookdex([...args, 'run'], { cwd: project.dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(
      /Created database schema[\s\S]*Reached the last level of every index[\s\S]*Stopped hookdex/,
    );
    // One-shot: the jobs never start.
    expect(first.stderr).not.toContain('Started jobs');
    const second = await hookdex([...args, 'run'], { cwd: project.dir });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('Created database schema');

    expect(await project.objects()).toEqual(
      expect.arrayContaining(['holder', 'stats', 'top_holders', 'hookdex_schema']),
    );
    expect(await project.query('SELECT name, reindex FROM hookdex_schema')).toEqual([
      { name: 'default', reindex: null },
    ]);
    const indexes = await project.query<{ name: string; level: number | string; status: string }>(
      'SELECT name, level, status FROM hookdex_index',
    );
    // NOTE: PostgreSQL returns its bigint level as a string.
    expect(indexes.map((index) => ({ ...index, level: Number(index.level) }))).toEqual([
      { name: 'transfers', level: 30, status: 'done' },
    ]);
    // The handler wrote through TypeORM; on_reindex created the view; on_restart ran on each start.
    const holders = await project.query<{ transfers: number }>('SELECT transfers FROM top_holders');
    expect(holders.length).toBeGreaterThan(1);
    expect(await project.query("SELECT value FROM stats WHERE name = 'restarts'")).toEqual([{ value: 2 }]);
  });

  it('follows the chain and runs the jobs until SIGTERM, then exits 0', async () => {
    project = createProject(kind, template);
    const running = startHookdex(['run'], { cwd: project.dir });
    await running.waitForLog(/Started jobs jobs=2[\s\S]*Synchronized every index/);
    running.child.kill('SIGTERM');
    const result = await running.exited;
    expect(result.stderr).toMatch(/Received stop signal signal=SIGTERM[\s\S]*Stopped hookdex/);
    expect(result.code, result.stderr).toBe(0);
    const [index] = await project.query<{ level: number; status: string }>(
      'SELECT level, status FROM hookdex_index',
    );
    expect(Number(index?.level)).toBeGreaterThanOrEqual(100);
  });
});

describe('hookdex run without indexes or jobs', () => {
  let project: FixtureProject;
  afterEach(async () => {
    await project.cleanup();
  });

  it('starts (on_reindex, on_restart) and exits 0 with nothing to keep running; logs as --log-* say', async () => {
    project = createProject('sqlite');
    project.write('hookdex.yaml', `${project.databaseYaml}hooks: {}\n`);
    project.write('sql/on_reindex/10_marks.sql', 'CREATE TABLE marks (what VARCHAR(16));\n');
    project.write('sql/on_restart/10_mark.sql', "INSERT INTO marks (what) VALUES ('restart');\n");
    const json = await hookdex(['--log-format', 'json', 'run'], { cwd: project.dir });
    expect(json.code, json.stderr).toBe(0);
    const lines = json.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.message)).toEqual(
      expect.arrayContaining([
        'Created database schema',
        'Found no jobs and no indexes to run',
        'Stopped hookdex',
      ]),
    );
    expect(lines.every((line) => line.level === 'info' && line.logger === 'hookdex')).toBe(true);
    const quiet = await hookdex(['--log-level', 'warn', 'run'], { cwd: project.dir });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(await project.query('SELECT what FROM marks')).toEqual([{ what: 'restart' }, { what: 'restart' }]);
  });
});

describe('hookdex init', () => {
  let project: FixtureProject;
  afterEach(async () => {
    await project.cleanup();
  });

  it('changes nothing when run twice and never overwrites an edited stub, with or without --force', async () => {
    project = createProject('sqlite', template);
    project.write(
      'hookdex.yaml',
      project
        .read('hookdex.yaml')
        .replace(
          'jobs:',
          'jobs:\n  daily_report:\n    hook: reports.daily\n    crontab: "@daily"\n    args: { recipients: [ops@example.com] }\n',
        )
        .replace(
          'hooks:',
          'hooks:\n  reports.daily:\n    callback: reports.daily\n    args:\n      recipients: list[str]\n',
        ),
    );
    const first = await hookdex(['init'], { cwd: project.dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('created  hooks/reports/daily.ts');
    expect(first.stdout).toContain('created  sql/reports/daily/.keep');
    expect(first.stdout).toContain('updated  types/hooks.d.ts');
    expect(project.read('hooks/reports/daily.ts')).toContain('args: { recipients: string[] }');
    expect(project.read('types/hooks.d.ts')).toContain("'reports.daily': { recipients: string[] };");

    const before = snapshot(project.dir);
    const second = await hookdex(['init'], { cwd: project.dir });
    expect(second.stdout).toContain('Nothing to do');
    expect(snapshot(project.dir)).toEqual(before);

    project.write('hooks/reports/daily.ts', 'export default async function daily() {}\n');
    const forced = await hookdex(['init', '--force'], { cwd: project.dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(project.read('hooks/reports/daily.ts')).toBe('export default async function daily() {}\n');
    expect(project.read('hooks/calculate_stats.ts')).toContain("ctx.logger.info('Calculated stats'");
  });
});
