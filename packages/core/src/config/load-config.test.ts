// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` here is YAML's placeholder, not a template.
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallbackTypeError, ConfigurationError } from '../errors/errors.js';
import {
  type ConfigDirectory,
  createConfigDirectory,
  expectProblem,
  fixture,
} from './_fixtures/config-directory.js';
import { loadConfig } from './load-config.js';

const HOOK = 'hooks:\n  calculate_stats:\n    callback: calculate_stats\n';

describe('loadConfig', () => {
  let directory: ConfigDirectory;
  beforeAll(async () => {
    directory = await createConfigDirectory();
  });
  afterAll(() => directory.remove());

  describe('the seed examples (seed/hooks.md)', () => {
    it('loads the hooks example', async () => {
      const config = await loadConfig([fixture('seed-hooks.yaml')], { env: {} });
      expect(config.hooks.calculate_stats).toEqual({
        name: 'calculate_stats',
        callback: 'calculate_stats',
        atomic: false,
        args: [
          { name: 'major', typeName: 'bool', type: { kind: 'boolean' } },
          { name: 'depth', typeName: 'int', type: { kind: 'int' } },
        ],
      });
    });

    it('refuses the jobs example, whose jobs omit the required `depth`, with a CallbackTypeError', async () => {
      const error = await expectProblem(loadConfig([fixture('seed-hooks.yaml'), fixture('seed-jobs.yaml')]), {
        name: 'CallbackTypeError',
        file: 'seed-jobs.yaml',
        message: [
          'job `midnight_stats`: hook `calculate_stats` argument `depth`: expected int, found nothing',
          'the argument is required',
        ],
      });
      expect(error).toBeInstanceOf(CallbackTypeError);
      expect(error).toMatchObject({ job: 'midnight_stats', hook: 'calculate_stats', argument: 'depth' });
    });

    it('loads the jobs example once `depth` is Optional[int], reading YAML `True`/`False` as booleans', async () => {
      const files = ['seed-hooks.yaml', 'seed-jobs.yaml', 'seed-optional-depth.yaml'].map(fixture);
      const config = await loadConfig(files, { env: {} });
      expect(config.hooks.calculate_stats?.args[1]).toMatchObject({
        name: 'depth',
        typeName: 'Optional[int]',
      });
      expect(config.jobs).toEqual({
        midnight_stats: {
          name: 'midnight_stats',
          hook: 'calculate_stats',
          args: { major: true },
          trigger: { crontab: '0 0 * * *' },
          onError: 'stop',
        },
        minute_stats: {
          name: 'minute_stats',
          hook: 'calculate_stats',
          args: { major: false },
          trigger: { interval: 60 },
          onError: 'stop',
        },
      });
    });

    it('loads the daemon example with a non-atomic hook', async () => {
      const config = await loadConfig([fixture('hook-without-args.yaml'), fixture('seed-daemon.yaml')], {
        env: {},
      });
      expect(config.jobs.daemon_stats).toMatchObject({ hook: 'calculate_stats', trigger: { daemon: true } });
    });

    it('loads the apscheduler example, keeping the defaults of the keys it does not set', async () => {
      const config = await loadConfig([fixture('seed-scheduler.yaml')], { env: {} });
      expect(config.advanced.scheduler).toEqual({
        coalesce: true,
        maxInstances: 3,
        misfireGraceTime: 1,
        timezone: 'UTC',
        jobStore: 'memory',
      });
    });
  });

  it('gives every default for an empty file, with the project directory and files absolute', async () => {
    const file = await directory.write('empty.yaml', '# nothing yet\n');
    const relative = path.relative(process.cwd(), file);
    const config = await loadConfig([relative], { env: {} });
    expect(config).toEqual({
      files: [file],
      projectDir: directory.root,
      database: { kind: 'sqlite', path: 'hookdex.sqlite', immuneTables: [] },
      datasources: {},
      indexes: {},
      hooks: {},
      jobs: {},
      advanced: {
        scheduler: {
          coalesce: true,
          maxInstances: 1,
          misfireGraceTime: 1,
          timezone: 'UTC',
          jobStore: 'memory',
        },
        postponeJobs: false,
        rollbackDepth: undefined,
        reindex: {
          manual: 'exception',
          migration: 'exception',
          rollback: 'exception',
          config_modified: 'exception',
          schema_modified: 'exception',
        },
      },
      logging: { level: 'info', format: 'pretty' },
      environment: {},
    });
  });

  describe('files', () => {
    it('refuses an empty list of files', async () => {
      await expectProblem(loadConfig([]), {
        message: ['expected at least one configuration file, found none'],
      });
    });

    it('names a missing file', async () => {
      const missing = path.join(directory.root, 'missing.yaml');
      const error = await expectProblem(loadConfig([missing], { env: {} }), {
        file: 'missing.yaml',
        message: ['expected a readable YAML configuration file, found no such file'],
      });
      expect((error as ConfigurationError).file).toBe(missing);
    });

    it.each([
      ['an unclosed flow sequence', 'jobs: [1, 2\nhooks: {}\n', 'line 2, column 1'],
      ['a duplicate key', `${HOOK}hooks: {}\n`, 'line 4, column 1: Map keys must be unique'],
      ['bad indentation', 'database:\n  kind: sqlite\n path: x\n', 'line 3, column 1'],
      ['an unclosed quote', 'logging:\n  level: "info\n', 'Missing closing "quote'],
      ['an undefined alias', 'hooks: *unknown\n', 'Unresolved alias'],
    ])('names the file, line and column of a YAML syntax error: %s', async (_name, text, where) => {
      await expectProblem(directory.load({ 'broken.yaml': text }), {
        file: 'broken.yaml',
        message: ['expected valid YAML, found', where],
      });
    });

    it('refuses a top level that is not a mapping', async () => {
      await expectProblem(directory.load({ 'list.yaml': '- hooks\n- jobs\n' }), {
        file: 'list.yaml',
        message: ['expected a mapping of sections at the top level', 'found a list of 2'],
      });
    });

    it('accepts YAML merge keys', async () => {
      const config = await directory.load({
        'anchors.yaml': `${HOOK}jobs:\n  a: &defaults\n    hook: calculate_stats\n    interval: 5\n  b:\n    <<: *defaults\n    interval: 10\n`,
      });
      expect(config.jobs.b).toMatchObject({ hook: 'calculate_stats', trigger: { interval: 10 } });
    });
  });

  describe('several files', () => {
    it('deep-merges mappings and replaces lists and scalars', async () => {
      const config = await directory.load({
        'base.yaml':
          'database:\n  kind: sqlite\n  path: base.sqlite\n  immune_tables: [a, b]\n' +
          `${HOOK}jobs:\n  daily:\n    hook: calculate_stats\n    crontab: "0 0 * * *"\n`,
        'prod.yaml':
          'database:\n  path: prod.sqlite\n  immune_tables: [c]\njobs:\n  daily:\n    on_error: log\n',
      });
      expect(config.database).toEqual({ kind: 'sqlite', path: 'prod.sqlite', immuneTables: ['c'] });
      expect(config.jobs.daily).toMatchObject({ trigger: { crontab: '0 0 * * *' }, onError: 'log' });
      expect(config.files.map((file) => path.basename(file))).toEqual(['base.yaml', 'prod.yaml']);
      expect(config.projectDir).toBe(directory.root);
    });

    it('lets a later file switch a trigger by setting the earlier one to null', async () => {
      const config = await directory.load({
        'base.yaml': `${HOOK}jobs:\n  stats:\n    hook: calculate_stats\n    crontab: "0 0 * * *"\n`,
        'dev.yaml': 'jobs:\n  stats:\n    crontab: null\n    interval: 10\n',
      });
      expect(config.jobs.stats?.trigger).toEqual({ interval: 10 });
    });

    it('names the file that set the wrong value, not the first file', async () => {
      await expectProblem(
        directory.load({
          'base.yaml': `${HOOK}jobs:\n  stats:\n    hook: calculate_stats\n    crontab: "0 0 * * *"\n`,
          'override.yaml': 'jobs:\n  stats:\n    crontab: "0 0 * * 9"\n',
        }),
        { file: 'override.yaml', path: 'jobs.stats.crontab', message: ['found "0 0 * * 9"'] },
      );
    });

    it('names the earlier file when the mistake is there and untouched by later files', async () => {
      await expectProblem(
        directory.load({
          'base.yaml': `${HOOK}    atomic: maybe\n`,
          'override.yaml': 'hooks:\n  calculate_stats:\n    args: {}\n',
        }),
        {
          file: 'base.yaml',
          path: 'hooks.calculate_stats.atomic',
          message: ['expected true or false, found "maybe"'],
        },
      );
    });

    it('names the file whose both triggers collide, when a later file adds the second', async () => {
      await expectProblem(
        directory.load({
          'base.yaml': `${HOOK}jobs:\n  stats:\n    hook: calculate_stats\n    crontab: "0 0 * * *"\n`,
          'override.yaml': 'jobs:\n  stats:\n    interval: 60\n',
        }),
        {
          file: 'override.yaml',
          path: 'jobs.stats',
          message: [
            'expected exactly one trigger: `crontab`, `interval` or `daemon: true`, found `crontab` and `interval`',
          ],
        },
      );
    });
  });

  describe('environment variables', () => {
    it('substitutes before parsing, so a default number is a number, and records every variable', async () => {
      const config = await directory.load(
        {
          'env.yaml':
            'database:\n  kind: postgres\n  url: ${DATABASE_URL}\n  schema: ${SCHEMA:-indexer}\n' +
            `${HOOK}jobs:\n  stats:\n    hook: calculate_stats\n    interval: \${INTERVAL:-60}\n`,
        },
        { DATABASE_URL: 'postgres://localhost/hookdex' },
      );
      expect(config.jobs.stats?.trigger).toEqual({ interval: 60 });
      expect(config.database).toMatchObject({ url: 'postgres://localhost/hookdex', schema: 'indexer' });
      expect(config.environment).toEqual({
        DATABASE_URL: { value: 'postgres://localhost/hookdex', default: undefined },
        SCHEMA: { value: 'indexer', default: 'indexer' },
        INTERVAL: { value: '60', default: '60' },
      });
    });

    it('uses the environment over the default', async () => {
      const config = await directory.load(
        { 'env.yaml': `${HOOK}jobs:\n  stats:\n    hook: calculate_stats\n    interval: \${INTERVAL:-60}\n` },
        { INTERVAL: '5' },
      );
      expect(config.jobs.stats?.trigger).toEqual({ interval: 5 });
    });

    it('names the file, line and variable of an unset variable without a default', async () => {
      await expectProblem(
        directory.load({
          'base.yaml': 'logging: {}\n',
          'secrets.yaml': 'database:\n  kind: postgres\n  password: ${PGPASS}\n',
        }),
        {
          file: 'secrets.yaml',
          message: ['expected the environment variable `PGPASS` to be set', 'at line 3, column 13'],
        },
      );
    });

    it('keeps `$${VAR}` as a literal `${VAR}`', async () => {
      const config = await directory.load({
        'escape.yaml': 'datasources:\n  node:\n    kind: evm.node\n    url: "http://$${HOST}"\n',
      });
      expect(config.datasources.node).toEqual({ kind: 'evm.node', options: { url: 'http://${HOST}' } });
      expect(config.environment).toEqual({});
    });

    it('reads process.env by default', async () => {
      const file = await directory.write('process.yaml', 'logging:\n  level: ${HOOKDEX_TEST_LEVEL:-info}\n');
      process.env.HOOKDEX_TEST_LEVEL = 'debug';
      try {
        expect((await loadConfig([file])).logging.level).toBe('debug');
      } finally {
        delete process.env.HOOKDEX_TEST_LEVEL;
      }
    });
  });

  it('coerces job arguments to Decimal, bigint and datetime', async () => {
    const config = await directory.load({
      'coerce.yaml':
        'hooks:\n  settle:\n    callback: settle\n    args:\n      amount: Decimal\n      block: bigint\n      since: datetime\n' +
        'jobs:\n  nightly:\n    hook: settle\n    crontab: "@daily"\n    args:\n      amount: "0.1"\n      block: 19000000\n      since: 2024-01-31\n',
    });
    expect(config.jobs.nightly?.args).toEqual({
      amount: new Decimal('0.1'),
      block: 19000000n,
      since: new Date('2024-01-31T00:00:00Z'),
    });
  });

  it('throws only ConfigurationError or CallbackTypeError for mistakes', async () => {
    const error = await directory.load({ 'x.yaml': 'hooks: []\n' }).catch((thrown: unknown) => thrown);
    expect(ConfigurationError.is(error, 'CONFIGURATION')).toBe(true);
  });
});
