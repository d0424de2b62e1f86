import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hookdex } from './_test/hookdex.js';
import { createProject, type FixtureProject, oneShot, scaffoldTemplate } from './_test/project.js';

let template: string;
beforeAll(async () => {
  template = await scaffoldTemplate();
});
afterAll(() => {
  rmSync(path.dirname(template), { recursive: true, force: true });
});

describe('loading TypeScript without a build step', () => {
  let project: FixtureProject;
  afterEach(async () => {
    await project.cleanup();
  });

  it('runs entities with decorators and explicit column types (no decorator metadata) through TypeORM', async () => {
    project = createProject('sqlite', template);
    project.write('hookdex.yaml', oneShot(project.read('hookdex.yaml')));
    expect(project.read('src/models.ts')).toContain("@Column('integer')\n  transfers!: number;");
    const init = await hookdex(['schema', 'init'], { cwd: project.dir });
    expect(init.code, init.stderr).toBe(0);
    const fired = await hookdex(['hook', 'fire', 'calculate_stats', '--arg', 'major=true'], {
      cwd: project.dir,
    });
    expect(fired.code, fired.stderr).toBe(0);
    expect(fired.stderr).toMatch(/Calculated stats holders=0 major=true depth=null/);
    expect(await project.query('SELECT name, value FROM stats')).toEqual([{ name: 'holders', value: 0 }]);
  });

  it('checks `module:Export` arguments with instanceof against the very class the hooks import', async () => {
    project = createProject('sqlite', template);
    project.write(
      'hookdex.yaml',
      oneShot(project.read('hookdex.yaml')).replace(
        'hooks:\n',
        'hooks:\n  relay:\n    callback: relay\n    args:\n      fake: bool\n  takes_token:\n    callback: takes_token\n    args:\n      token: ./src/models.js:Token\n',
      ),
    );
    project.write(
      'src/models.ts',
      `${project.read('src/models.ts')}\n/** A plain class used as a hook argument type. */\nexport class Token {\n  constructor(readonly symbol: string) {}\n}\n`,
    );
    project.write(
      'hooks/relay.ts',
      `import type { HookContext } from '@hookdex/core';
import { Token } from '../src/models.js';

export default async function relay(ctx: HookContext, args: { fake: boolean }): Promise<void> {
  await ctx.fireHook('takes_token', { token: args.fake ? { symbol: 'HDX' } : new Token('HDX') });
}
`,
    );
    project.write(
      'hooks/takes_token.ts',
      `import type { HookContext } from '@hookdex/core';
import type { Token } from '../src/models.js';

export default async function takes_token(ctx: HookContext, args: { token: Token }): Promise<void> {
  ctx.logger.info('Received token', { symbol: args.token.symbol });
}
`,
    );
    expect((await hookdex(['schema', 'init'], { cwd: project.dir })).code).toBe(0);
    const [real, fake] = await Promise.all([
      hookdex(['hook', 'fire', 'relay', '--arg', 'fake=false'], { cwd: project.dir }),
      hookdex(['hook', 'fire', 'relay', '--arg', 'fake=true'], { cwd: project.dir }),
    ]);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stderr).toContain('Received token symbol=HDX');
    expect(fake.code).toBe(1);
    expect(fake.stderr.trim().split('\n').at(-1)).toBe(
      'error: hook `takes_token` argument `token`: expected ./src/models.js:Token, found dict.',
    );
  });

  it('resolves bare imports from the project first, then from hookdex, and names one that neither has', async () => {
    project = createProject('sqlite');
    project.write('package.json', '{ "type": "module" }\n');
    project.write(
      'hookdex.yaml',
      `${project.databaseYaml}hooks:\n  greet:\n    callback: greet\n  broken:\n    callback: broken\n`,
    );
    project.write(
      'node_modules/greeting/package.json',
      '{ "name": "greeting", "type": "module", "main": "index.js" }\n',
    );
    project.write('node_modules/greeting/index.js', "export const greeting = 'hello from the project';\n");
    project.write(
      'hooks/greet.ts',
      "import { Decimal } from 'decimal.js';\nimport { greeting } from 'greeting';\nimport type { HookContext } from '@hookdex/core';\n\nexport default async function greet(ctx: HookContext): Promise<void> {\n  ctx.logger.info('Greeted', { greeting, sum: new Decimal('0.1').plus('0.2').toString() });\n}\n",
    );
    project.write(
      'hooks/broken.ts',
      "import 'no-such-package';\n\nexport default async function broken(): Promise<void> {}\n",
    );
    const result = await hookdex(['schema', 'init'], { cwd: project.dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(
      /^error: hooks\/broken\.ts: expected a module that loads, found an error while importing it: Cannot find package 'no-such-package'/,
    );
    rmSync(path.join(project.dir, 'hooks/broken.ts'));
    project.write('hookdex.yaml', `${project.databaseYaml}hooks:\n  greet:\n    callback: greet\n`);
    expect((await hookdex(['schema', 'init'], { cwd: project.dir })).code).toBe(0);
    const greeted = await hookdex(['hook', 'fire', 'greet'], { cwd: project.dir });
    expect(greeted.code, greeted.stderr).toBe(0);
    expect(greeted.stderr).toContain('Greeted greeting="hello from the project" sum=0.3');
  });
});

describe('loading compiled JavaScript', () => {
  let project: FixtureProject;
  afterEach(async () => {
    await project.cleanup();
  });

  const CONFIG = (databaseYaml: string) =>
    `${databaseYaml}hooks:\n  count:\n    callback: count\n    atomic: true\n    args:\n      step: int\n`;
  const ON_REINDEX = 'CREATE TABLE counts (step INTEGER NOT NULL);\n';
  const COUNT_SQL = 'INSERT INTO counts (step) VALUES (:step);\n';

  it('runs ES modules', async () => {
    project = createProject('sqlite');
    project.write('package.json', '{ "type": "module" }\n');
    project.write('hookdex.yaml', CONFIG(project.databaseYaml));
    project.write('sql/on_reindex/10_counts.sql', ON_REINDEX);
    project.write('sql/count/10_insert.sql', COUNT_SQL);
    project.write(
      'src/index.js',
      "import { EntitySchema } from 'typeorm';\nimport { defineProject } from '@hookdex/core';\n\nexport const Note = new EntitySchema({ name: 'Note', tableName: 'note', columns: { id: { type: 'integer', primary: true } } });\nexport default defineProject({ entities: [Note] });\n",
    );
    project.write(
      'hooks/count.js',
      "export default async function count(ctx, args) {\n  await ctx.executeSql('count', { step: args.step });\n}\n",
    );
    expect((await hookdex(['schema', 'init'], { cwd: project.dir })).code).toBe(0);
    const fired = await hookdex(['hook', 'fire', 'count', '--arg', 'step=7'], { cwd: project.dir });
    expect(fired.code, fired.stderr).toBe(0);
    expect(await project.query('SELECT step FROM counts')).toEqual([{ step: 7 }]);
    expect(await project.objects()).toContain('note');
  });

  it('runs CommonJS as tsc emits it (exports.default, __esModule)', async () => {
    project = createProject('sqlite');
    project.write('package.json', '{ "type": "commonjs" }\n');
    project.write('hookdex.yaml', CONFIG(project.databaseYaml));
    project.write('sql/on_reindex/10_counts.sql', ON_REINDEX);
    project.write('sql/count/10_insert.sql', COUNT_SQL);
    project.write(
      'hooks/count.js',
      '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = count;\nasync function count(ctx, args) {\n    await ctx.executeSql(\'count\', { step: args.step });\n}\n',
    );
    expect((await hookdex(['schema', 'init'], { cwd: project.dir })).code).toBe(0);
    const fired = await hookdex(['hook', 'fire', 'count', '--arg', 'step=3'], { cwd: project.dir });
    expect(fired.code, fired.stderr).toBe(0);
    expect(await project.query('SELECT step FROM counts')).toEqual([{ step: 3 }]);
  });
});
