import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConfigDirectory, createConfigDirectory, expectProblem } from './_fixtures/config-directory.js';

const hooks = (body: string) => `hooks:\n${body}`;
const STATS_HOOK = hooks('  stats:\n    callback: stats\n');
const job = (body: string) => `${STATS_HOOK}jobs:\n  nightly:\n    hook: stats\n${body}`;

describe('loadConfig: hooks', () => {
  let directory: ConfigDirectory;
  const load = (text: string) => directory.load({ 'hookdex.yaml': text });
  beforeAll(async () => {
    directory = await createConfigDirectory();
  });
  afterAll(() => directory.remove());

  it('accepts nested callbacks, atomic hooks and every form of argument type', async () => {
    const config = await load(
      hooks(
        '  stats.daily:\n    callback: stats.daily\n    atomic: true\n    args:\n' +
          '      when: datetime\n      amounts: list[Decimal]\n      labels: dict[str, str]\n' +
          '      limit: int | None\n      owner: "./models.js:Owner"\n',
      ),
    );
    expect(config.hooks['stats.daily']?.atomic).toBe(true);
    expect(config.hooks['stats.daily']?.args.map((argument) => argument.type.kind)).toEqual([
      'datetime',
      'list',
      'dict',
      'optional',
      'external',
    ]);
  });

  it('requires the hook name to be equal to `callback`, in DipDup words', async () => {
    await expectProblem(load(hooks('  calculate_stats:\n    callback: calc_stats\n')), {
      path: 'hooks.calculate_stats.callback',
      file: 'hookdex.yaml',
      message: [
        "expected `calculate_stats`, the hook's name, found `calc_stats`",
        '`calculate_stats` hook name must be equal to `callback` value',
      ],
    });
  });

  it.each(['on_restart', 'on_reindex', 'on_synchronized', 'on_index_rollback'])(
    'reserves the system hook name %s',
    async (name) => {
      await expectProblem(load(hooks(`  ${name}:\n    callback: ${name}\n`)), {
        path: `hooks.${name}`,
        message: ['expected a user hook name', `found the system hook name \`${name}\``, 'hookdex init'],
      });
    },
  );

  it.each([
    ['an upper-case letter', 'Stats'],
    ['a dash', 'daily-stats'],
    ['an empty segment', 'stats..daily'],
    ['a leading digit', '1stats'],
  ])('refuses a hook name and callback with %s', async (_case, name) => {
    await expectProblem(load(hooks(`  "${name}":\n    callback: "${name}"\n`)), {
      path: `hooks.${name}`,
      message: ['expected a callback name: snake_case segments', `found the key \`${name}\``],
    });
  });

  it('requires `callback`, after reporting a misspelt key with a suggestion', async () => {
    await expectProblem(load(hooks('  stats:\n    calback: stats\n')), {
      path: 'hooks.stats.calback',
      message: [
        'expected one of the keys `callback`, `atomic` or `args`, found the unknown key `calback`',
        'did you mean `callback`?',
      ],
    });
    await expectProblem(load(hooks('  stats:\n    atomic: false\n')), {
      path: 'hooks.stats.callback',
      message: ['expected a string, found nothing (`callback` is required)'],
    });
  });

  it('requires `atomic` to be a boolean', async () => {
    await expectProblem(load(hooks('  stats:\n    callback: stats\n    atomic: "yes"\n')), {
      path: 'hooks.stats.atomic',
      message: ['expected true or false, found "yes"'],
    });
  });

  it.each(['ctx', 'name', 'wait'])('reserves the argument name %s', async (name) => {
    await expectProblem(load(hooks(`  stats:\n    callback: stats\n    args:\n      ${name}: int\n`)), {
      path: `hooks.stats.args.${name}`,
      message: ['expected an argument name other than `ctx`, `name` and `wait`', `found the key \`${name}\``],
    });
  });

  it('requires argument names to be identifiers', async () => {
    await expectProblem(load(hooks('  stats:\n    callback: stats\n    args:\n      max-depth: int\n')), {
      path: 'hooks.stats.args.max-depth',
      message: ['expected an argument name: an identifier', 'found the key `max-depth`'],
    });
  });

  it.each([
    ['an unknown type', 'flaot', '`flaot` is not a known type', 'did you mean `float`?'],
    ['an unclosed generic', 'list[int', 'expected `]`', 'found "list[int"'],
    ['a union other than T | None', 'int | str', 'a union only of the form `T | None`', 'found "int | str"'],
    ['a generic of a scalar', 'int[str]', 'a generic type (list, dict, Optional)', 'found "int[str]"'],
  ])('refuses %s with the type parser’s message', async (_case, type, expected, found) => {
    await expectProblem(load(hooks(`  stats:\n    callback: stats\n    args:\n      depth: "${type}"\n`)), {
      path: 'hooks.stats.args.depth',
      message: [expected, found],
    });
  });

  it('refuses a type that is not a string', async () => {
    await expectProblem(load(hooks('  stats:\n    callback: stats\n    args:\n      depth: 5\n')), {
      path: 'hooks.stats.args.depth',
      message: ['expected a string, found 5'],
    });
  });
});

describe('loadConfig: jobs', () => {
  let directory: ConfigDirectory;
  const load = (text: string) => directory.load({ 'hookdex.yaml': text });
  beforeAll(async () => {
    directory = await createConfigDirectory();
  });
  afterAll(() => directory.remove());

  it('accepts each trigger, with `daemon: false` counted as absent, and `on_error: log`', async () => {
    const config = await load(
      `${STATS_HOOK}jobs:\n  a:\n    hook: stats\n    crontab: "*/5 * * * * *"\n    daemon: false\n` +
        '  b:\n    hook: stats\n    interval: 0.5\n    on_error: log\n  c:\n    hook: stats\n    daemon: true\n',
    );
    expect(Object.values(config.jobs).map((entry) => [entry.trigger, entry.onError])).toEqual([
      [{ crontab: '*/5 * * * * *' }, 'stop'],
      [{ interval: 0.5 }, 'log'],
      [{ daemon: true }, 'stop'],
    ]);
  });

  it.each([
    ['no trigger', '', 'none'],
    ['only `daemon: false`', '    daemon: false\n', 'none'],
    ['two triggers', '    crontab: "@daily"\n    interval: 60\n', '`crontab` and `interval`'],
    [
      'three triggers',
      '    crontab: "@daily"\n    interval: 60\n    daemon: true\n',
      '`crontab`, `interval` and `daemon`',
    ],
  ])('requires exactly one trigger: %s', async (_case, body, found) => {
    await expectProblem(load(job(body)), {
      path: 'jobs.nightly',
      message: [
        `expected exactly one trigger: \`crontab\`, \`interval\` or \`daemon: true\`, found ${found}`,
      ],
    });
  });

  it.each([
    ['zero', '0', 'expected a number > 0, found 0'],
    ['negative', '-5', 'expected a number > 0, found -5'],
    ['a quoted number', '"60"', 'expected a number, found "60" (write the number without quotes)'],
  ])('requires a positive number of seconds for `interval`: %s', async (_case, value, message) => {
    await expectProblem(load(job(`    interval: ${value}\n`)), {
      path: 'jobs.nightly.interval',
      message: [message],
    });
  });

  it('parses the crontab at load and keeps the scheduler’s message naming the field', async () => {
    const error = await expectProblem(load(job('    crontab: "0 0 * * 8"\n')), {
      path: 'jobs.nightly.crontab',
      message: ['expected a cron expression', 'found "0 0 * * 8"', 'the day-of-week field "8" is invalid'],
    });
    expect(error.cause).toMatchObject({ name: 'SchedulerError', code: 'INVALID_CRON', field: 'dayOfWeek' });
    await expectProblem(load(job('    crontab: "0 0 * *"\n')), {
      path: 'jobs.nightly.crontab',
      message: ['expected 5 fields', 'found 4'],
    });
    await expectProblem(load(job('    crontab: 5\n')), {
      path: 'jobs.nightly.crontab',
      message: ['expected a string, found 5'],
    });
  });

  it('refuses `daemon` with an atomic hook', async () => {
    const text = `${hooks('  stats:\n    callback: stats\n    atomic: true\n')}jobs:\n  forever:\n    hook: stats\n    daemon: true\n`;
    await expectProblem(load(text), {
      path: 'jobs.forever.daemon',
      message: [
        'expected a daemon job to run a non-atomic hook, found `stats`, which is atomic',
        'never commit',
      ],
    });
  });

  it('requires the hook to be a declared user hook, with a suggestion', async () => {
    await expectProblem(load(`${STATS_HOOK}jobs:\n  nightly:\n    hook: stat\n    interval: 60\n`), {
      path: 'jobs.nightly.hook',
      message: ['expected a hook declared in `hooks:` (`stats`), found `stat`', 'did you mean `stats`?'],
    });
    await expectProblem(load('jobs:\n  nightly:\n    hook: stats\n    interval: 60\n'), {
      path: 'jobs.nightly.hook',
      message: ['expected a hook declared in `hooks:` (none are declared), found `stats`'],
    });
  });

  it('refuses a system hook as a job’s hook, with its own message', async () => {
    await expectProblem(load(`${STATS_HOOK}jobs:\n  restart:\n    hook: on_restart\n    interval: 60\n`), {
      path: 'jobs.restart.hook',
      message: [
        'expected a user hook declared in `hooks:`, found the system hook `on_restart`',
        'cannot be scheduled',
      ],
    });
  });

  it('refuses an unknown `on_error` and an unknown key, with suggestions', async () => {
    await expectProblem(load(job('    interval: 60\n    on_error: logs\n')), {
      path: 'jobs.nightly.on_error',
      message: ['expected one of `stop` or `log`, found "logs" (did you mean `log`?)'],
    });
    await expectProblem(load(job('    crontba: "@daily"\n')), {
      path: 'jobs.nightly.crontba',
      message: ['found the unknown key `crontba`', 'did you mean `crontab`?'],
    });
  });

  it('requires `args` to be a mapping', async () => {
    await expectProblem(load(job('    interval: 60\n    args: [1, 2]\n')), {
      path: 'jobs.nightly.args',
      message: ['expected a mapping, found a list of 2'],
    });
  });
});
