import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookdex } from './_test/hookdex.js';
import { createProject, DATABASES, type FixtureProject } from './_test/project.js';

const HOOKS = `
hooks:
  record:
    callback: record
    atomic: true
    args:
      label: str
      amount: Decimal
      tags: list[str]
      at: datetime
      big: bigint
      count: Optional[int]
  loose:
    callback: loose
    atomic: false
    args:
      label: str
  after:
    callback: after
    args:
      label: str
`;

// Writes what it received, fires `after` without waiting, and fails after writing for label "fail".
const RECORD = `import type { HookContext } from '@hookdex/core';
import type { Decimal } from 'decimal.js';

export default async function record(
  ctx: HookContext,
  args: { label: string; amount: Decimal; tags: string[]; at: Date; big: bigint; count?: number | null },
): Promise<void> {
  const description = JSON.stringify({
    amount: args.amount.toString(),
    amountType: args.amount.constructor.name,
    tags: args.tags,
    at: args.at.toISOString(),
    big: \`\${typeof args.big} \${args.big}\`,
    count: args.count ?? null,
  });
  await ctx.executeSql('record', { label: args.label, description });
  await ctx.fireHook('after', { label: args.label }, { wait: false });
  if (args.label === 'fail') throw new Error('failed on purpose after writing');
}
`;

const LOOSE = `import type { HookContext } from '@hookdex/core';

export default async function loose(ctx: HookContext, args: { label: string }): Promise<void> {
  await ctx.executeSql('record', { label: args.label, description: 'loose' });
  await ctx.fireHook('after', { label: args.label }, { wait: false });
  throw new Error('failed on purpose after writing');
}
`;

const AFTER = `import type { HookContext } from '@hookdex/core';

export default async function after(ctx: HookContext, args: { label: string }): Promise<void> {
  await ctx.executeSql('record', { label: args.label, description: 'after' });
}
`;

const GOOD_ARGS = [
  '--arg',
  'label=007',
  '--arg',
  'amount=12.50',
  '--arg',
  'tags=[a, b]',
  '--arg',
  'at=2025-01-01T12:00:00+01:00',
  '-a',
  'big=12345678901234567890',
];

describe.each(DATABASES)('hookdex hook fire on $name', ({ kind }) => {
  let project: FixtureProject;
  const rows = () =>
    project.query<{ label: string; description: string }>(
      'SELECT label, description FROM fired ORDER BY label, description',
    );
  const fire = (...args: string[]) => hookdex(['hook', 'fire', ...args], { cwd: project.dir });

  beforeAll(async () => {
    project = createProject(kind);
    project.write('package.json', '{ "type": "module" }\n');
    project.write('hookdex.yaml', `${project.databaseYaml}${HOOKS}`);
    project.write('hooks/record.ts', RECORD);
    project.write('hooks/loose.ts', LOOSE);
    project.write('hooks/after.ts', AFTER);
    project.write(
      'sql/on_reindex/10_fired.sql',
      'CREATE TABLE fired (label VARCHAR(32), description TEXT);\n',
    );
    project.write(
      'sql/record/10_insert.sql',
      'INSERT INTO fired (label, description) VALUES (:label, :description);\n',
    );
    const notInitialized = await fire('record', ...GOOD_ARGS);
    expect(notInitialized.code).toBe(1);
    expect(notInitialized.stderr.trim().split('\n').at(-1)).toMatch(
      /^error: the (SQLite|PostgreSQL) database .* is not initialized: run `hookdex schema init`/,
    );
    const init = await hookdex(['schema', 'init'], { cwd: project.dir });
    expect(init.code, init.stderr).toBe(0);
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('reads each argument by its declared type, fires the hook, and runs what it deferred before exiting', async () => {
    const result = await fire('record', ...GOOD_ARGS);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Fired hook `record` \(atomic\) in \d+ ms\.\n$/);
    expect(await rows()).toEqual([
      { label: '007', description: 'after' },
      {
        label: '007',
        description: JSON.stringify({
          amount: '12.5',
          amountType: 'Decimal',
          tags: ['a', 'b'],
          at: '2025-01-01T11:00:00.000Z',
          big: 'bigint 12345678901234567890',
          count: null,
        }),
      },
    ]);
  });

  it('undoes everything an atomic hook wrote when it fails, its deferred hooks included', async () => {
    const before = await rows();
    const result = await fire('record', ...GOOD_ARGS.slice(2), '--arg', 'label=fail', '--arg', 'count=2');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toBe(
      'error: The hook `record` failed: failed on purpose after writing',
    );
    expect(await rows()).toEqual(before);
  });

  it('keeps what a non-atomic hook wrote before it failed', async () => {
    const result = await fire('loose', '--arg', 'label=loose');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: The hook `loose` failed: failed on purpose after writing');
    expect(await rows()).toEqual(expect.arrayContaining([{ label: 'loose', description: 'loose' }]));
  });

  it('refuses bad arguments before anything runs, naming the argument, the expected and the found type', async () => {
    const cases: Array<[string[], string]> = [
      [
        ['record', ...GOOD_ARGS.slice(0, 2), '--arg', 'amount=lots', ...GOOD_ARGS.slice(4)],
        'error: hook `record` argument `amount`: expected Decimal, found str.',
      ],
      [
        ['record', ...GOOD_ARGS, '--arg', 'count=many'],
        'error: hook `record` argument `count`: expected int, found str.',
      ],
      [
        ['record', ...GOOD_ARGS.slice(0, -2)],
        'error: hook `record` argument `big`: expected bigint, found nothing (missing required argument).',
      ],
      [
        ['record', ...GOOD_ARGS, '--arg', 'tag=c'],
        'error: --arg tag: hook `record` declares the arguments `label`, `amount`, `tags`, `at`, `big`, `count`, not `tag` (did you mean `tags`?)',
      ],
      [
        ['record', ...GOOD_ARGS, '--arg', 'label'],
        'error: --arg "label": expected key=value (for example --arg label=value)',
      ],
      [
        ['record', ...GOOD_ARGS, '--arg', 'label=again'],
        'error: --arg label: given twice; give each argument once',
      ],
      [
        ['on_reindex'],
        'error: hooks.on_reindex: expected the name of a user hook, found the system hook `on_reindex` (hookdex fires system hooks itself; they cannot be fired from the shell, by handlers or by jobs).',
      ],
      [
        ['recrod', ...GOOD_ARGS],
        'error: hookdex.yaml: hooks.recrod: expected a hook declared under `hooks:` (record, loose, after), found `recrod` (did you mean `record`?).',
      ],
    ];
    // NOTE: every case fails before the database is touched; one database shows that well enough.
    const shown = kind === 'sqlite' ? cases : cases.slice(0, 2);
    const before = await rows();
    const results = await Promise.all(shown.map(([args]) => fire(...args)));
    const errors = results.map((result) => {
      expect(result.code, result.stderr).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      return lines[0];
    });
    expect(errors).toEqual(shown.map(([, message]) => message));
    expect(await rows()).toEqual(before);
  });
});
