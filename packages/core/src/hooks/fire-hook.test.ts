import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Counter,
  CounterEntity,
  callbacks,
  counters,
  createApp,
  createProject,
  DATABASES,
  type HookSpec,
  type TestProject,
} from '../_test/project.js';
import type { HookContext } from '../context/hook-context.js';
import {
  CallbackError,
  CallbackTypeError,
  ConfigurationError,
  ReindexingRequiredError,
} from '../errors/errors.js';

const upsert = (ctx: HookContext, key: string, value: number) =>
  ctx.db.getRepository<Counter>(CounterEntity).save({ key, value });

describe.each(DATABASES)('fireHook on $name', ({ kind }) => {
  let project: TestProject;
  beforeEach(() => {
    project = createProject(kind);
  });
  afterEach(async () => {
    await project.cleanup();
  });

  async function start(hooks: Record<string, HookSpec>) {
    const config = project.config({ hooks });
    const harness = createApp(config, { hooks: callbacks(hooks) });
    await harness.app.start();
    return harness;
  }

  it('runs an atomic hook, its SQL scripts included, all or nothing', async () => {
    project.writeSql('fill/10_insert.sql', "INSERT INTO counter (key, value) VALUES ('from_sql', :value);");
    let fail = false;
    const { app } = await start({
      fill: {
        atomic: true,
        args: { value: 'int' },
        run: async (ctx, { value }: { value: number }) => {
          await upsert(ctx, 'from_orm', value);
          await ctx.executeSql('fill', { value });
          if (fail) throw new Error('boom after writing');
        },
      },
    });
    fail = true;
    const error = await app.fireHook('fill', { value: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CallbackError);
    expect((error as CallbackError).message).toBe('The hook `fill` failed: boom after writing');
    expect(((error as CallbackError).cause as Error).message).toBe('boom after writing');
    expect(await counters(app)).toEqual([]);
    fail = false;
    await app.fireHook('fill', { value: 2 });
    expect(await counters(app)).toEqual(['from_orm=2', 'from_sql=2']);
    await app.stop();
  });

  it('keeps the writes of a non-atomic hook made before it failed', async () => {
    const { app } = await start({
      partial: {
        run: async (ctx) => {
          await upsert(ctx, 'first', 1);
          throw new Error('then failed');
        },
      },
    });
    await expect(app.fireHook('partial')).rejects.toThrow('The hook `partial` failed: then failed');
    expect(await counters(app)).toEqual(['first=1']);
    await app.stop();
  });

  it('runs an atomic hook fired inside a transaction as a savepoint: no deadlock, rolled back with it', async () => {
    const hooks: Record<string, HookSpec> = {
      inner: { atomic: true, run: (ctx) => upsert(ctx, 'inner', 1) },
      failing_inner: {
        atomic: true,
        run: async (ctx) => {
          await upsert(ctx, 'failing_inner', 1);
          throw new Error('inner failed');
        },
      },
    };
    const { app, transactions } = await start(hooks);
    await transactions.transaction(async () => {
      await transactions.manager().getRepository<Counter>(CounterEntity).save({ key: 'outer', value: 1 });
      await app.fireHook('inner');
    });
    expect(await counters(app)).toEqual(['inner=1', 'outer=1']);

    await expect(
      transactions.transaction(async () => {
        await transactions.manager().getRepository<Counter>(CounterEntity).save({ key: 'outer2', value: 1 });
        await app.fireHook('inner');
        throw new Error('outer failed');
      }),
    ).rejects.toThrow('outer failed');
    expect(await counters(app)).toEqual(['inner=1', 'outer=1']);

    await transactions.transaction(async () => {
      await transactions.manager().getRepository<Counter>(CounterEntity).save({ key: 'outer3', value: 1 });
      await expect(app.fireHook('failing_inner')).rejects.toThrow('inner failed');
    });
    expect(await counters(app)).toEqual(['inner=1', 'outer=1', 'outer3=1']);
    await app.stop();
  });

  it('runs wait: false hooks after the commit, FIFO, seeing committed data, and never after a rollback', async () => {
    const seen: string[] = [];
    const hooks: Record<string, HookSpec> = {
      observe: {
        args: { label: 'str' },
        run: async (ctx, { label }: { label: string }) => {
          const rows = await ctx.db.getRepository<Counter>(CounterEntity).find({ order: { key: 'ASC' } });
          seen.push(`${label}:${rows.map((row) => row.key).join(',')}`);
        },
      },
    };
    const { app, transactions } = await start(hooks);
    await transactions.transaction(async () => {
      await transactions.manager().getRepository<Counter>(CounterEntity).save({ key: 'a', value: 1 });
      await app.fireHook('observe', { label: 'first' }, { wait: false });
      await app.fireHook('observe', { label: 'second' }, { wait: false });
      expect(seen).toEqual([]);
      await transactions.manager().getRepository<Counter>(CounterEntity).save({ key: 'b', value: 1 });
    });
    await expect(
      transactions.transaction(async () => {
        await transactions.manager().getRepository<Counter>(CounterEntity).save({ key: 'c', value: 1 });
        await app.fireHook('observe', { label: 'rolled back' }, { wait: false });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    await app.hooks.drainDeferred();
    expect(seen).toEqual(['first:a,b', 'second:a,b']);
    await app.fireHook('observe', { label: 'outside' }, { wait: false });
    await app.hooks.drainDeferred();
    expect(seen).toEqual(['first:a,b', 'second:a,b', 'outside:a,b']);
    await app.stop();
  });

  it('checks arguments before running: a type error runs and writes nothing', async () => {
    let runs = 0;
    const { app } = await start({
      typed: {
        atomic: true,
        args: { major: 'bool', depth: 'int', tags: 'list[str]', limit: 'Optional[int]' },
        run: async (ctx) => {
          runs++;
          await upsert(ctx, 'typed', 1);
        },
      },
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ major: 'yes', depth: 1, tags: [] }, 'hook `typed` argument `major`: expected bool, found str.'],
      [{ major: true, depth: 1.5, tags: [] }, 'argument `depth`: expected int, found float.'],
      [
        { major: true, tags: [] },
        'argument `depth`: expected int, found nothing (missing required argument).',
      ],
      [{ major: true, depth: 1, tags: ['a', 2] }, 'argument `tags[1]`: expected str, found int.'],
      [{ major: true, depth: 1, tags: [], limit: 'ten' }, 'argument `limit`: expected int, found str.'],
      [{ major: true, depth: 1, tags: [], extra: 1 }, 'argument `extra`: expected no such argument'],
    ];
    for (const [args, message] of cases) {
      const error = await app.fireHook('typed', args).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CallbackTypeError);
      expect((error as Error).message).toContain(message);
      await expect(app.fireHook('typed', args, { wait: false })).rejects.toThrow(CallbackTypeError);
    }
    expect(runs).toBe(0);
    expect(await counters(app)).toEqual([]);
    await app.fireHook('typed', { major: true, depth: 3, tags: ['x'], limit: null });
    expect(runs).toBe(1);
    await app.stop();
  });

  it('refuses unknown hooks and system hooks at the call, also with wait: false', async () => {
    const { app } = await start({ known: { run: () => {} } });
    for (const wait of [true, false]) {
      const unknown = await app.fireHook('unknonw', {}, { wait }).catch((caught: unknown) => caught);
      expect(unknown).toBeInstanceOf(ConfigurationError);
      expect((unknown as Error).message).toBe(
        'hooks.unknonw: expected a hook declared under `hooks:` (known), found `unknonw` (declare it in hookdex.yaml and run `hookdex init`).',
      );
      const system = await app.fireHook('on_restart', {}, { wait }).catch((caught: unknown) => caught);
      expect(system).toBeInstanceOf(ConfigurationError);
      expect((system as Error).message).toContain('found the system hook `on_restart`');
    }
    await app.stop();
  });

  it('passes framework errors through unwrapped and resolves nested hook names', async () => {
    project.writeSql('stats/daily/01.sql', "INSERT INTO counter (key, value) VALUES ('daily', 1);");
    const { app } = await start({
      'stats.daily': { run: (ctx) => ctx.executeSql('stats.daily') },
      reindexer: { run: (ctx) => ctx.reindex('manual', 'from a hook') },
      caller: { run: (ctx) => ctx.fireHook('stats.daily') },
    });
    await app.fireHook('caller');
    expect(await counters(app)).toEqual(['daily=1']);
    const error = await app.fireHook('reindexer').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReindexingRequiredError);
    await app.stop();
  });

  it('gives every fire a fresh context with a logger named after the hook', async () => {
    const contexts: HookContext[] = [];
    const { app } = await start({
      'stats.daily': {
        args: { n: 'int' },
        run: (ctx) => {
          contexts.push(ctx);
        },
      },
    });
    await app.fireHook('stats.daily', { n: 1 });
    await app.fireHook('stats.daily', { n: 2 });
    expect(contexts[0]).not.toBe(contexts[1]);
    expect(contexts[0]!.logger.name).toBe('hookdex.hooks.stats.daily');
    expect(contexts[0]!.hookConfig.name).toBe('stats.daily');
    expect(contexts[0]!.config.hooks['stats.daily']!.args[0]!.typeName).toBe('int');
    expect(contexts[0]!.signal.aborted).toBe(false);
    await app.stop();
    expect(contexts[0]!.signal.aborted).toBe(true);
  });
});
