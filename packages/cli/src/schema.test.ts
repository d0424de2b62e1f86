import { rmSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookdex } from './_test/hookdex.js';
import { createProject, DATABASES, type FixtureProject, oneShot, scaffoldTemplate } from './_test/project.js';
import { schemaWipeCommand } from './commands/schema-commands.js';
import { globalOptionsOf } from './options/global-options.js';

let template: string;
beforeAll(async () => {
  template = await scaffoldTemplate();
});
afterAll(() => {
  rmSync(path.dirname(template), { recursive: true, force: true });
});

const lastLine = (text: string) => text.trim().split('\n').at(-1);

describe.each(DATABASES)('hookdex schema on $name', ({ kind }) => {
  let project: FixtureProject;
  const run = (...args: string[]) => hookdex(args, { cwd: project.dir });
  beforeAll(() => {
    project = createProject(kind, template);
    project.write(
      'hookdex.yaml',
      oneShot(project.read('hookdex.yaml')).replace(
        /(\n {2}(path|schema): .*\n)/,
        '$1  immune_tables: [stats]\n',
      ),
    );
  });
  afterAll(async () => {
    await project.cleanup();
  });

  it('init creates the tables, fires on_reindex once and on_restart every time, then exits', async () => {
    const first = await run('schema', 'init');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^Initialized the (SQLite|PostgreSQL) database .*: created the tables, fired on_reindex and on_restart\.\n$/,
    );
    expect(await project.objects()).toEqual(expect.arrayContaining(['holder', 'stats', 'top_holders']));
    const second = await run('schema', 'init');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^The database was initialized already; fired on_restart/);
  });

  it('export prints the CREATE statements of the models and the on_reindex scripts, and writes nothing', async () => {
    const before = await project.objects();
    const result = await run('schema', 'export');
    expect(result.code, result.stderr).toBe(0);
    const sql = result.stdout;
    expect(sql).toMatch(new RegExp(`^-- hookdex schema export \\(${kind}\\)`));
    expect(sql).toMatch(
      /\n-- models\nCREATE TABLE "holder" \("address" (varchar|character varying)\(42\) (PRIMARY KEY )?NOT NULL/,
    );
    expect(sql).toMatch(/CREATE TABLE "stats" \(.*"updated_at" (varchar|character varying)\(32\) NOT NULL/);
    expect(sql).toContain(
      '\n-- sql/on_reindex/10_top_holders.sql\n-- Runs once on a new (or wiped) database, after the tables are created.\nCREATE VIEW top_holders AS',
    );
    expect(sql).not.toMatch(/hookdex_export_|CREATE SCHEMA/);
    expect(await project.objects()).toEqual(before);
  });

  it('stops run when the models or an index changed (exit 1); approve keeps the data and lets it run', async () => {
    const indexed = await run('run');
    expect(indexed.code, indexed.stderr).toBe(0);
    project.write(
      'src/models.ts',
      project
        .read('src/models.ts')
        .replace(
          "  @Column('integer')\n  value!: number;",
          "  @Column('integer')\n  value!: number;\n\n  @Column('integer', { default: 0 })\n  runs!: number;",
        ),
    );
    project.write('hookdex.yaml', project.read('hookdex.yaml').replace('last_level: 20', 'last_level: 25'));
    const refused = await run('run');
    expect(refused.code).toBe(1);
    expect(lastLine(refused.stderr)).toBe(
      'error: Reindexing required (schema_modified): the models changed since the database was created. Run `hookdex schema wipe` to start again, or `hookdex schema approve` to keep the data.',
    );
    const approved = await run('schema', 'approve');
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(
      /^Approved the schema of .*: cleared the pending reindex \(schema_modified\), adopted the hash of the current models, adopted the configuration of the indexes transfers\.\n$/,
    );
    const again = await run('schema', 'approve');
    expect(again.stdout).toBe(
      'Nothing to approve: no reindex is pending, and the models and indexes match the database.\n',
    );
    const resumed = await run('run');
    expect(resumed.code, resumed.stderr).toBe(0);
    const [index] = await project.query<{ level: number | string }>('SELECT level FROM hookdex_index');
    expect(Number(index?.level)).toBe(25);
  });

  it('wipe asks first: without a terminal it refuses unless --force, then keeps immune tables', async () => {
    const refused = await run('schema', 'wipe');
    expect(refused.code).toBe(1);
    expect(lastLine(refused.stderr)).toBe(
      'error: schema wipe: expected a confirmation on a terminal, found no terminal (standard input is not a TTY); pass --force to wipe without asking',
    );
    expect(await project.objects()).toEqual(expect.arrayContaining(['holder', 'top_holders']));

    const wiped = await run('schema', 'wipe', '--force');
    expect(wiped.code, wiped.stderr).toBe(0);
    expect(wiped.stdout).toMatch(
      /^Wiped .*: dropped 2 tables and views \((top_holders, holder|holder, top_holders)\); kept the immune tables stats\. The next start fires on_reindex\.\n$/,
    );
    expect((await project.objects()).filter((name) => !name.startsWith('hookdex_'))).toEqual(['stats']);
    expect(await project.query('SELECT name FROM hookdex_schema')).toEqual([]);

    const nothing = await run('schema', 'approve');
    expect(nothing.code).toBe(1);
    expect(lastLine(nothing.stderr)).toMatch(
      /is not initialized, so there is nothing to approve: run `hookdex schema init`/,
    );

    const all = await run('schema', 'wipe', '--immune', '--force');
    expect(all.stdout).toMatch(
      /^Wiped .*: dropped 1 tables and views \(stats\)\. The next start fires on_reindex\.\n$/,
    );
  });
});

describe('schema wipe on a terminal', () => {
  let project: FixtureProject;
  beforeAll(async () => {
    project = createProject('sqlite', template);
    project.write('hookdex.yaml', oneShot(project.read('hookdex.yaml')));
    const init = await hookdex(['schema', 'init'], { cwd: project.dir });
    expect(init.code, init.stderr).toBe(0);
  });
  afterAll(async () => {
    await project.cleanup();
  });

  const wipe = async (answer: boolean) => {
    const output = { stdout: '', stderr: '', questions: [] as string[] };
    const sink = (key: 'stdout' | 'stderr') =>
      new Writable({
        write(chunk, _encoding, done) {
          output[key] += String(chunk);
          done();
        },
      });
    const code = await schemaWipeCommand(
      {
        io: {
          stdout: sink('stdout'),
          stderr: sink('stderr'),
          confirm: async (question) => {
            output.questions.push(question);
            return answer;
          },
        },
        globals: globalOptionsOf({ config: [path.join(project.dir, 'hookdex.yaml')], logLevel: 'warn' }),
      },
      {},
    );
    return { code, ...output };
  };

  it('names what it will drop, drops nothing when the answer is no, and wipes when it is yes', async () => {
    const declined = await wipe(false);
    expect(declined.code).toBe(0);
    expect(declined.questions).toEqual([
      'Drop 3 tables and views of the SQLite database hookdex.sqlite (holder, stats, top_holders)? [y/N] ',
    ]);
    expect(declined.stderr).toBe('Wipe cancelled: nothing was dropped.\n');
    expect(await project.objects()).toEqual(expect.arrayContaining(['holder', 'stats', 'top_holders']));

    const confirmed = await wipe(true);
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain('dropped 3 tables and views');
    expect((await project.objects()).filter((name) => !name.startsWith('hookdex_'))).toEqual([]);
  });
});
