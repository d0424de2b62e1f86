import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConfigDirectory, createConfigDirectory, expectProblem } from './_fixtures/config-directory.js';

describe('loadConfig: sections', () => {
  let directory: ConfigDirectory;
  const load = (text: string) => directory.load({ 'hookdex.yaml': text });
  beforeAll(async () => {
    directory = await createConfigDirectory();
  });
  afterAll(() => directory.remove());

  describe('database', () => {
    it('reads SQLite (`:memory:` too) and PostgreSQL with their defaults', async () => {
      expect((await load('database:\n  kind: sqlite\n  path: ":memory:"\n')).database).toEqual({
        kind: 'sqlite',
        path: ':memory:',
        immuneTables: [],
      });
      expect(
        (await load('database:\n  kind: postgres\n  host: db\n  port: 5433\n  immune_tables: [prices]\n'))
          .database,
      ).toEqual({
        kind: 'postgres',
        url: undefined,
        host: 'db',
        port: 5433,
        user: undefined,
        password: undefined,
        database: undefined,
        schema: 'public',
        immuneTables: ['prices'],
      });
    });

    it('requires a known kind, with a suggestion', async () => {
      await expectProblem(load('database:\n  kind: postgresql\n'), {
        path: 'database.kind',
        message: ['expected one of `sqlite` or `postgres`, found "postgresql" (did you mean `postgres`?)'],
      });
      await expectProblem(load('database:\n  path: x.sqlite\n'), {
        path: 'database.kind',
        message: ['expected one of `sqlite` or `postgres`, found nothing'],
      });
    });

    it('refuses the options of the other kind', async () => {
      await expectProblem(load('database:\n  kind: sqlite\n  url: postgres://db\n'), {
        path: 'database.url',
        message: [
          'expected one of the keys `kind`, `path` or `immune_tables`, found the unknown key `url` ' +
            '(`url` is an option of `kind: postgres`)',
        ],
      });
    });

    it('checks the port and quotes-hints a numeric password', async () => {
      await expectProblem(load('database:\n  kind: postgres\n  port: 70000\n'), {
        path: 'database.port',
        message: ['expected an integer <= 65535, found 70000'],
      });
      await expectProblem(load('database:\n  kind: postgres\n  password: 1234\n'), {
        path: 'database.password',
        message: ['expected a string, found 1234 (quote the value to keep it a string)'],
      });
    });

    it('refuses internal, duplicate and non-string immune tables', async () => {
      await expectProblem(load('database:\n  kind: sqlite\n  immune_tables: [prices, hookdex_schema]\n'), {
        path: 'database.immune_tables[1]',
        message: ['expected a project table name (not starting with `hookdex_`), found "hookdex_schema"'],
      });
      await expectProblem(load('database:\n  kind: sqlite\n  immune_tables: [prices, tokens, prices]\n'), {
        path: 'database.immune_tables[2]',
        message: ['expected each table once, found `prices` again (already at index 0)'],
      });
      await expectProblem(load('database:\n  kind: sqlite\n  immune_tables: [prices, 5]\n'), {
        path: 'database.immune_tables[1]',
        message: ['expected a string, found 5'],
      });
    });
  });

  describe('datasources and indexes', () => {
    const DATASOURCES = 'datasources:\n  mainnet:\n    kind: evm.node\n    url: http://node\n';

    it('keeps kind options, handler matches and index options as written', async () => {
      const config = await load(
        `${DATASOURCES}indexes:\n  tokens:\n    kind: evm.events\n    datasource: mainnet\n    first_level: 100\n` +
          '    last_level: 200\n    contract_address: "0xabc"\n    handlers:\n      - callback: tokens.on_transfer\n        event: Transfer\n',
      );
      expect(config.datasources.mainnet).toEqual({ kind: 'evm.node', options: { url: 'http://node' } });
      expect(config.indexes.tokens).toEqual({
        kind: 'evm.events',
        datasource: 'mainnet',
        handlers: [{ callback: 'tokens.on_transfer', match: { event: 'Transfer' } }],
        firstLevel: 100,
        lastLevel: 200,
        options: { contract_address: '0xabc' },
      });
    });

    it('requires a datasource kind', async () => {
      await expectProblem(load('datasources:\n  mainnet:\n    url: http://node\n'), {
        path: 'datasources.mainnet.kind',
        message: ['expected a string, found nothing (`kind` is required)'],
      });
    });

    const index = (body: string) => `${DATASOURCES}indexes:\n  tokens:\n    kind: evm.events\n${body}`;
    const HANDLERS = '    handlers:\n      - callback: on_transfer\n';

    it('requires the datasource to be declared, with a suggestion', async () => {
      await expectProblem(load(index(`    datasource: mainet\n${HANDLERS}`)), {
        path: 'indexes.tokens.datasource',
        message: [
          'expected a datasource declared in `datasources:` (`mainnet`), found `mainet` (did you mean `mainnet`?)',
        ],
      });
    });

    it('checks handler callbacks and requires at least one handler', async () => {
      await expectProblem(
        load(index('    datasource: mainnet\n    handlers:\n      - callback: OnTransfer\n')),
        {
          path: 'indexes.tokens.handlers[0].callback',
          message: ['expected a callback name: snake_case segments', 'found "OnTransfer"'],
        },
      );
      await expectProblem(load(index('    datasource: mainnet\n    handlers: []\n')), {
        path: 'indexes.tokens.handlers',
        message: ['expected a list of at least 1, found an empty list'],
      });
    });

    it('requires levels to be integers >= 0 with first_level <= last_level', async () => {
      await expectProblem(load(index(`    datasource: mainnet\n    first_level: -1\n${HANDLERS}`)), {
        path: 'indexes.tokens.first_level',
        message: ['expected an integer >= 0, found -1'],
      });
      await expectProblem(load(index(`    datasource: mainnet\n    first_level: 1.5\n${HANDLERS}`)), {
        path: 'indexes.tokens.first_level',
        message: ['expected an integer, found 1.5'],
      });
      await expectProblem(
        load(index(`    datasource: mainnet\n    first_level: 10\n    last_level: 5\n${HANDLERS}`)),
        {
          path: 'indexes.tokens.last_level',
          message: ['expected a level >= first_level (10), found 5'],
        },
      );
    });
  });

  describe('advanced', () => {
    const scheduler = (lines: string) => load(`advanced:\n  scheduler:\n${lines}`);

    it('reads every scheduler key and the other advanced options', async () => {
      const config = await load(
        'advanced:\n  postpone_jobs: true\n  rollback_depth: 0\n  reindex:\n    migration: wipe\n    rollback: ignore\n' +
          '  scheduler:\n    apscheduler.job_defaults.coalesce: false\n    apscheduler.job_defaults.misfire_grace_time: null\n' +
          '    apscheduler.timezone: Europe/Berlin\n    apscheduler.jobstores.default.type: memory\n' +
          '    apscheduler.executors.default.type: asyncio\n',
      );
      expect(config.advanced).toEqual({
        scheduler: {
          coalesce: false,
          maxInstances: 1,
          misfireGraceTime: null,
          timezone: 'Europe/Berlin',
          jobStore: 'memory',
        },
        postponeJobs: true,
        rollbackDepth: 0,
        reindex: {
          manual: 'exception',
          migration: 'wipe',
          rollback: 'ignore',
          config_modified: 'exception',
          schema_modified: 'exception',
        },
      });
    });

    it.each([
      [
        'a pool executor key',
        '    apscheduler.executors.pool.type: threadpool\n',
        'apscheduler.executors.pool.type',
      ],
      [
        'the threadpool type',
        '    apscheduler.executors.default.type: threadpool\n',
        'apscheduler.executors.default.type',
      ],
      [
        'a pool executor class',
        '    apscheduler.executors.default.class: "apscheduler.executors.pool:ProcessPoolExecutor"\n',
        'apscheduler.executors.default.class',
      ],
      [
        'the processpool type',
        '    apscheduler.executors.processpool.type: processpool\n',
        'apscheduler.executors.processpool.type',
      ],
    ])('refuses %s: pools are not supported, create one inside a hook', async (_case, lines, key) => {
      await expectProblem(scheduler(lines), {
        path: `advanced.scheduler.${key}`,
        message: [
          'expected the asyncio executor',
          'thread and process pool executors (`apscheduler.executors.pool`) are not supported',
          'create a pool (worker_threads, for example) inside the hook',
        ],
      });
    });

    it('reads the database job store on PostgreSQL', async () => {
      const config = await load(
        'database:\n  kind: postgres\n  url: postgres://db/indexer\n' +
          'advanced:\n  scheduler:\n    apscheduler.jobstores.default.type: database\n',
      );
      expect(config.advanced.scheduler.jobStore).toBe('database');
    });

    it('refuses the database job store on SQLite, named or by default: it needs PostgreSQL', async () => {
      const error = await expectProblem(
        directory.load({
          'base.yaml': 'database:\n  kind: sqlite\n  path: indexer.sqlite\n',
          'shared.yaml': 'advanced:\n  scheduler:\n    apscheduler.jobstores.default.type: database\n',
        }),
        {
          file: 'shared.yaml',
          path: 'advanced.scheduler.apscheduler.jobstores.default.type',
          message: [
            'expected a PostgreSQL database: the database store needs PostgreSQL, ' +
              'found `database` with a SQLite database (`database.kind: sqlite`)',
            'set `database.kind: postgres` to share the jobs between processes',
          ],
        },
      );
      expect(error).toMatchObject({ expected: 'a PostgreSQL database: the database store needs PostgreSQL' });
      await expectProblem(scheduler('    apscheduler.jobstores.default.type: database\n'), {
        file: 'hookdex.yaml',
        path: 'advanced.scheduler.apscheduler.jobstores.default.type',
        message: ['found `database` with SQLite, the default database (no `database:` section)'],
      });
    });

    it('keeps the memory job store as it was: the default, on SQLite and PostgreSQL', async () => {
      expect((await load('hooks: {}\n')).advanced.scheduler.jobStore).toBe('memory');
      expect(
        (await scheduler('    apscheduler.jobstores.default.type: memory\n')).advanced.scheduler.jobStore,
      ).toBe('memory');
      expect(
        (
          await load(
            'database:\n  kind: postgres\nadvanced:\n  scheduler:\n    apscheduler.jobstores.default.type: memory\n',
          )
        ).advanced.scheduler.jobStore,
      ).toBe('memory');
      await expectProblem(scheduler('    apscheduler.jobstores.default.type: redis\n'), {
        path: 'advanced.scheduler.apscheduler.jobstores.default.type',
        message: ['expected one of `memory` or `database`, found "redis"'],
      });
    });

    it('refuses any other key, listing the supported ones', async () => {
      await expectProblem(scheduler('    apscheduler.job_defaults.max_instance: 3\n'), {
        path: 'advanced.scheduler.apscheduler.job_defaults.max_instance',
        message: [
          'expected one of the keys `apscheduler.job_defaults.coalesce`, `apscheduler.job_defaults.max_instances`, ' +
            '`apscheduler.job_defaults.misfire_grace_time`, `apscheduler.timezone`, `apscheduler.jobstores.default.type` ' +
            'or `apscheduler.executors.default.type`, found the unknown key `apscheduler.job_defaults.max_instance`',
          'did you mean `apscheduler.job_defaults.max_instances`?',
        ],
      });
    });

    it.each([
      ['max_instances 0', 'apscheduler.job_defaults.max_instances: 0', 'expected an integer >= 1, found 0'],
      [
        'a negative grace time',
        'apscheduler.job_defaults.misfire_grace_time: -1',
        'expected a number >= 0, found -1',
      ],
      ['an unknown time zone', 'apscheduler.timezone: Mars/Olympus', 'expected an IANA time zone name'],
      ['a non-boolean coalesce', 'apscheduler.job_defaults.coalesce: sometimes', 'expected true or false'],
    ])('checks values: %s', async (_case, line, message) => {
      const key = line.split(':')[0];
      await expectProblem(scheduler(`    ${line}\n`), {
        path: `advanced.scheduler.${key}`,
        message: [message],
      });
    });

    it('checks rollback_depth, reindex actions and refuses unknown advanced keys', async () => {
      await expectProblem(load('advanced:\n  rollback_depth: -2\n'), {
        path: 'advanced.rollback_depth',
        message: ['expected an integer >= 0, found -2'],
      });
      await expectProblem(load('advanced:\n  reindex:\n    migration: wpie\n'), {
        path: 'advanced.reindex.migration',
        message: ['expected one of `exception`, `wipe` or `ignore`, found "wpie" (did you mean `wipe`?)'],
      });
      await expectProblem(load('advanced:\n  reindex:\n    schema_changed: wipe\n'), {
        path: 'advanced.reindex.schema_changed',
        message: ['found the unknown key `schema_changed`'],
      });
      await expectProblem(load('advanced:\n  early_realtime: true\n'), {
        path: 'advanced.early_realtime',
        message: ['expected one of the keys `scheduler`, `postpone_jobs`, `rollback_depth` or `reindex`'],
      });
    });
  });

  it('reads logging and refuses unknown levels', async () => {
    expect((await load('logging:\n  level: debug\n  format: json\n')).logging).toEqual({
      level: 'debug',
      format: 'json',
    });
    await expectProblem(load('logging:\n  level: warning\n'), {
      path: 'logging.level',
      message: ['expected one of `debug`, `info`, `warn` or `error`, found "warning" (did you mean `warn`?)'],
    });
  });

  it('refuses unknown top-level sections, with a suggestion', async () => {
    await expectProblem(load('hook:\n  stats:\n    callback: stats\n'), {
      path: 'hook',
      message: [
        'expected one of the keys `database`, `datasources`, `indexes`, `hooks`, `jobs`, `advanced` or `logging`',
        'found the unknown key `hook` (did you mean `hooks`?)',
      ],
    });
    await expectProblem(load('jobs: []\n'), {
      path: 'jobs',
      message: ['expected a mapping, found an empty list'],
    });
    await expectProblem(load('hooks:\n'), {
      path: 'hooks',
      message: [
        'expected a mapping, found null (a key with nothing after it is null in YAML: write `hooks: {}`',
      ],
    });
  });

  it('reports the first problem in document order, whatever the section', async () => {
    const text =
      'jobs:\n  nightly:\n    hook: stats\n    interval: -1\n' +
      'hooks:\n  stats:\n    callback: stats\n    atomic: nope\n' +
      'logging:\n  level: loud\n';
    await expectProblem(load(text), { path: 'jobs.nightly.interval' });
    await expectProblem(load(text.replace('interval: -1', 'interval: 1')), { path: 'hooks.stats.atomic' });
  });
});
