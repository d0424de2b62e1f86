import { afterEach, describe, expect, it } from 'vitest';
import { startHookdex } from './_test/hookdex.js';
import { createProject, DATABASES, type FixtureProject } from './_test/project.js';

// An atomic hook that writes two halves of a pair with a pause between them, fired every 0.2 s.
const PAIR_HOOK = `import type { HookContext } from '@hookdex/core';

export default async function pair(ctx: HookContext): Promise<void> {
  const run = \`\${process.pid}-\${Date.now()}-\${Math.random()}\`;
  await ctx.executeSql('pair/10_first.sql', { run });
  ctx.logger.info('Wrote first half');
  await new Promise((resolve) => setTimeout(resolve, 400));
  await ctx.executeSql('pair/20_second.sql', { run });
}
`;

/** A project whose job fires the atomic `pair` hook every 0.2 s. */
function pairsProject(kind: 'sqlite' | 'postgres'): FixtureProject {
  const project = createProject(kind);
  project.write(
    'hookdex.yaml',
    `${project.databaseYaml}hooks:\n  pair:\n    callback: pair\n    atomic: true\njobs:\n  pairs:\n    hook: pair\n    interval: 0.2\n`,
  );
  project.write('hooks/pair.ts', PAIR_HOOK);
  project.write(
    'sql/on_reindex/10_halves.sql',
    'CREATE TABLE halves (run VARCHAR(64) NOT NULL, half VARCHAR(8) NOT NULL);\n',
  );
  project.write('sql/pair/10_first.sql', "INSERT INTO halves (run, half) VALUES (:run, 'first');\n");
  project.write('sql/pair/20_second.sql', "INSERT INTO halves (run, half) VALUES (:run, 'second');\n");
  return project;
}

/** The halves written, grouped by run: each group must be a whole pair. */
async function pairs(project: FixtureProject): Promise<string[][]> {
  const rows = await project.query<{ run: string; half: string }>(
    'SELECT run, half FROM halves ORDER BY run, half',
  );
  const halves = new Map<string, string[]>();
  for (const row of rows) halves.set(row.run, [...(halves.get(row.run) ?? []), row.half]);
  return [...halves.values()];
}

describe.each(DATABASES)('SIGTERM during run on $name', ({ kind }) => {
  let project: FixtureProject;
  afterEach(async () => {
    await project.cleanup();
  });

  it('lets the running atomic hook finish, exits 0, and leaves no pair half-written', async () => {
    project = pairsProject(kind);
    const running = startHookdex(['run'], { cwd: project.dir });
    await running.waitForLog(/Wrote first half/);
    running.child.kill('SIGTERM');
    const result = await running.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /Received stop signal signal=SIGTERM[\s\S]*Stopped jobs[\s\S]*Stopped hookdex/,
    );
    const written = await pairs(project);
    expect(written.length).toBeGreaterThan(0);
    for (const pair of written) expect(pair).toEqual(['first', 'second']);
  });

  it('exits 1 at once on a second signal, and the interrupted atomic hook leaves nothing behind', async () => {
    project = pairsProject(kind);
    const running = startHookdex(['run'], { cwd: project.dir });
    await running.waitForLog(/Wrote first half/);
    running.child.kill('SIGTERM');
    await running.waitForLog(/Received stop signal/);
    running.child.kill('SIGTERM');
    const result = await running.exited;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('Stopped without waiting for running jobs');
    expect(result.stderr).not.toContain('Stopped hookdex');
    for (const pair of await pairs(project)) expect(pair).toEqual(['first', 'second']);
  });
});
