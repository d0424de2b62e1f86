import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScriptDirectory } from './_test/script-directory.js';
import { InitializationRequiredError, SqlRunnerError } from './errors.js';
import { resolveScripts, type ScriptRoot } from './resolve-scripts.js';

describe('resolveScripts', () => {
  let directory: Awaited<ReturnType<typeof createScriptDirectory>>;
  let root: ScriptRoot;
  const names = async (name: string) => (await resolveScripts(root, name)).map((file) => file.name);

  beforeAll(async () => {
    directory = await createScriptDirectory({
      'calculate_stats/10_top.sql': 'SELECT 1',
      'calculate_stats/2_second.sql': 'SELECT 2',
      'calculate_stats/a/01_nested.sql': 'SELECT 3',
      'calculate_stats/a.sql': 'SELECT 4',
      'calculate_stats/a-b.sql': 'SELECT 5',
      'calculate_stats/notes.txt': 'not sql',
      'calculate_stats/query.SQL.bak': 'not sql',
      'stats/daily/01_a.sql': 'SELECT 6',
      'v1.2/01_a.sql': 'SELECT 7',
      'readme.md': '# not sql',
    });
    root = { absolute: directory.root, display: 'sql' };
  });
  afterAll(() => directory.remove());

  it('runs every .sql file below a directory in sorted full-path order, skipping other extensions', async () => {
    // NOTE: ordinal order of the full path: `10_` sorts before `2_`, `a-b.sql` before `a.sql` before `a/`.
    expect(await names('calculate_stats')).toEqual([
      'calculate_stats/10_top.sql',
      'calculate_stats/2_second.sql',
      'calculate_stats/a-b.sql',
      'calculate_stats/a.sql',
      'calculate_stats/a/01_nested.sql',
    ]);
  });

  it('reads dots in a hook name as nesting, and accepts slashes', async () => {
    expect(await names('stats.daily')).toEqual(['stats/daily/01_a.sql']);
    expect(await names('stats/daily')).toEqual(['stats/daily/01_a.sql']);
    expect(await names('stats.daily/01_a.sql')).toEqual(['stats/daily/01_a.sql']);
    expect(await names('calculate_stats/')).toHaveLength(5);
  });

  it('falls back to a directory literally named with a dot', async () => {
    expect(await names('v1.2')).toEqual(['v1.2/01_a.sql']);
  });

  it('resolves a single file, with its absolute and display paths', async () => {
    const [file] = await resolveScripts(root, 'calculate_stats/10_top.sql');
    expect(file?.name).toBe('calculate_stats/10_top.sql');
    expect(file?.displayPath).toBe('sql/calculate_stats/10_top.sql');
    expect(file?.absolutePath.startsWith(directory.root)).toBe(true);
  });

  it('reports a missing path as InitializationRequiredError naming every path looked for', async () => {
    const error = await resolveScripts(root, 'missing.hook').catch((thrown: unknown) => thrown);
    expect(InitializationRequiredError.is(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'INITIALIZATION_REQUIRED',
      path: 'sql/missing/hook',
      searched: ['sql/missing/hook', 'sql/missing.hook'],
    });
    expect((error as Error).message).toContain('looked for sql/missing/hook and sql/missing.hook');
    expect((error as Error).message).toContain('hookdex init');
  });

  it.each([
    ['an empty name', ''],
    ['an absolute path', '/etc/passwd'],
    ['a Windows absolute path', 'C:\\scripts'],
    ['a path leaving the root', '../outside'],
    ['a non-.sql file', 'readme.md'],
  ])('refuses %s with INVALID_NAME', async (_name, name) => {
    const error = await resolveScripts(root, name).catch((thrown: unknown) => thrown);
    expect(SqlRunnerError.is(error) && error.code).toBe('INVALID_NAME');
  });
});
