import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HookdexResult, hookdex } from './_test/hookdex.js';
import { createProject, type FixtureProject, scaffoldTemplate } from './_test/project.js';
import { EX_TEMPFAIL } from './errors/exit-codes.js';

/** A user error: exit code 1 and exactly one line on standard error, without a stack trace. */
function expectOneLineError(result: HookdexResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

let template: string;
beforeAll(async () => {
  template = await scaffoldTemplate();
});
afterAll(() => {
  rmSync(path.dirname(template), { recursive: true, force: true });
});

describe('usage errors', () => {
  let project: FixtureProject;
  beforeAll(() => {
    project = createProject('sqlite', template);
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('suggests the command or option meant, and points at the right help', async () => {
    const [command, option, choice, missing] = await Promise.all([
      hookdex(['rn'], { cwd: project.dir }),
      hookdex(['init', '--forse'], { cwd: project.dir }),
      hookdex(['--log-level', 'verbose', 'init'], { cwd: project.dir }),
      hookdex(['new'], { cwd: project.dir }),
    ]);
    expectOneLineError(command, /unknown command 'rn' \(did you mean run\?\); see `hookdex --help`$/);
    expectOneLineError(
      option,
      /unknown option '--forse' \(did you mean --force\?\); see `hookdex init --help`$/,
    );
    expectOneLineError(
      choice,
      /option '--log-level <level>' argument 'verbose' is invalid\. Allowed choices are debug, info, warn, error; see `hookdex init --help`$/,
    );
    expectOneLineError(missing, /missing required argument 'dir'; see `hookdex new --help`$/);
  });

  it('prints help with examples for every command, and exits 0', async () => {
    const [root, fire, jobs] = await Promise.all([
      hookdex(['--help'], { cwd: project.dir }),
      hookdex(['hook', 'fire', '--help'], { cwd: project.dir }),
      hookdex(['jobs', 'list', '-h'], { cwd: project.dir }),
    ]);
    for (const result of [root, fire, jobs]) {
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Examples:');
      expect(result.stderr).toBe('');
    }
    expect(root.stdout).toMatch(/Usage: hookdex \[options\] \[command\]/);
    expect(root.stdout).toContain('Exit codes: 0 done');
    expect(fire.stdout).toContain('-a, --arg <key=value>');
    // Global options are listed under every command.
    expect(jobs.stdout).toMatch(/Global Options:[\s\S]*-c, --config <file>/);
  });
});

describe('configuration errors', () => {
  let project: FixtureProject;
  afterEach(async () => {
    await project.cleanup();
  });

  it('names the file, the path, what was expected and what was found', async () => {
    project = createProject('sqlite', template);
    project.write('bad-crontab.yaml', 'jobs:\n  hourly_stats:\n    crontab: "0 * * *"\n');
    project.write('misspelt.yaml', 'jobs:\n  hourly_stats:\n    crontabs: "0 * * * *"\n');
    const [missing, crontab, misspelt, unset, envFile] = await Promise.all([
      hookdex(['-c', 'nothere.yaml', 'run'], { cwd: project.dir }),
      hookdex(['-c', 'hookdex.yaml', '-c', 'bad-crontab.yaml', 'jobs', 'list'], { cwd: project.dir }),
      hookdex(['-c', 'hookdex.yaml', '-c', 'misspelt.yaml', 'run'], { cwd: project.dir }),
      (async () => {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a YAML placeholder, substituted by hookdex.
        project.write('secret.yaml', 'database:\n  path: ${DB_FILE}\n');
        return hookdex(['-c', 'hookdex.yaml', '-c', 'secret.yaml', 'init'], {
          cwd: project.dir,
          env: { DB_FILE: undefined },
        });
      })(),
      hookdex(['--env-file', 'missing.env', 'init'], { cwd: project.dir }),
    ]);
    expectOneLineError(missing, /^error: nothere\.yaml: expected a readable YAML configuration file, found/);
    expectOneLineError(crontab, /bad-crontab\.yaml: jobs\.hourly_stats\.crontab: expected .*found/);
    expectOneLineError(misspelt, /misspelt\.yaml: jobs\.hourly_stats.*crontabs.*did you mean `crontab`/);
    expectOneLineError(unset, /secret\.yaml: expected the environment variable `DB_FILE` to be set/);
    expectOneLineError(
      envFile,
      /^error: --env-file missing\.env: expected a readable dotenv file, found no such file$/,
    );
  });

  it('prints the stack trace only with --log-level debug', async () => {
    project = createProject('sqlite', template);
    const result = await hookdex(['-c', 'nothere.yaml', '--log-level', 'debug', 'run'], { cwd: project.dir });
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(
      /^error: nothere\.yaml: expected a readable YAML configuration file/,
    );
    expect(result.stderr).toMatch(/^ConfigurationError: [\s\S]*\n\s+at /m);
  });
});

describe('project code errors', () => {
  let project: FixtureProject;
  afterEach(async () => {
    await project.cleanup();
  });

  it('names a hook that does not load, one without a default export, and a missing one', async () => {
    project = createProject('sqlite', template);
    const broken = createProject('sqlite', template);
    const noDefault = createProject('sqlite', template);
    try {
      broken.write('hooks/calculate_stats.ts', 'export default async function calculate_stats( {\n');
      noDefault.write('hooks/calculate_stats.ts', 'export async function calculate_stats() {}\n');
      project.write('hooks/calculate_stats.ts', '');
      rmSync(path.join(project.dir, 'hooks/calculate_stats.ts'));
      const [syntax, exportless, missing] = await Promise.all([
        hookdex(['run'], { cwd: broken.dir }),
        hookdex(['run'], { cwd: noDefault.dir }),
        hookdex(['run'], { cwd: project.dir }),
      ]);
      expectOneLineError(
        syntax,
        /^error: hooks\/calculate_stats\.ts: expected a module that loads, found an error while importing it/,
      );
      expectOneLineError(
        exportless,
        /^error: hooks\/calculate_stats\.ts: expected the hook `calculate_stats` as the default export .*found no default export\.$/,
      );
      // A missing hook is found before anything is written: the database stays untouched.
      expect(missing.code, missing.stderr).toBe(1);
      expect(missing.stderr.trim().split('\n').at(-1)).toMatch(
        /^error: \S*hookdex\.yaml: hooks\.calculate_stats: expected a callback for every hook in `hooks:`, found no callback for `calculate_stats` \(run `hookdex init`/,
      );
    } finally {
      await broken.cleanup();
      await noDefault.cleanup();
    }
  });

  it('names an index handler that has no file', async () => {
    project = createProject('sqlite', template);
    project.write(
      'hookdex.yaml',
      project.read('hookdex.yaml').replace('- callback: on_transfer', '- callback: tokens.on_mint'),
    );
    const result = await hookdex(['run'], { cwd: project.dir });
    expectOneLineError(
      result,
      /^error: .*hookdex\.yaml: indexes\.transfers\.handlers\[0\]\.callback: expected a handler file handlers\/tokens\/on_mint\.ts with a default export, found no such file/,
    );
  });
});

describe('database errors', () => {
  let project: FixtureProject;
  afterEach(async () => {
    await project.cleanup();
  });

  it('exits 75 (try again later) when the database cannot be reached, naming it without its password', async () => {
    project = createProject('sqlite', template);
    project.write(
      'unreachable.yaml',
      'database:\n  kind: postgres\n  url: postgres://hookdex:hunter2@127.0.0.1:1/nowhere\n',
    );
    project.write('hookdex.yaml', project.read('hookdex.yaml').replace(/ {2}path: .*\n/, ''));
    const result = await hookdex(['-c', 'hookdex.yaml', '-c', 'unreachable.yaml', 'run'], {
      cwd: project.dir,
    });
    expect(result.code, result.stderr).toBe(EX_TEMPFAIL);
    const last = result.stderr.trim().split('\n').at(-1);
    expect(last).toMatch(
      /^error: Could not connect to the PostgreSQL database postgres:\/\/hookdex:\*\*\*@127\.0\.0\.1:1\/nowhere \(schema public\): .*ECONNREFUSED/,
    );
    expect(result.stderr).not.toContain('hunter2');
  });
});
