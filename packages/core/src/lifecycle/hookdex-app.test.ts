import { EntitySchema } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  counters,
  createApp,
  createProject,
  DATABASES,
  FakeTime,
  type TestProject,
} from '../_test/project.js';
import { CallbackError, ConfigurationError, ReindexingRequiredError } from '../errors/errors.js';
import type { HookCallback } from '../hooks/hook-registry.js';

describe.each(DATABASES)('start-up and reindexing on $name', ({ kind }) => {
  let project: TestProject;
  beforeEach(() => {
    project = createProject(kind);
  });
  afterEach(async () => {
    await project.cleanup();
  });

  function systemHooks(
    log: string[],
    overrides: Record<string, HookCallback> = {},
  ): Record<string, HookCallback> {
    return {
      on_reindex: async (ctx) => {
        log.push('on_reindex');
        await ctx.executeSql('on_reindex');
      },
      on_restart: async (ctx) => {
        log.push('on_restart');
        await ctx.executeSql('on_restart');
      },
      ...overrides,
    };
  }

  it('fires on_reindex then on_restart on a fresh database, only on_restart on a warm one, and both after a wipe', async () => {
    project.writeSql('on_reindex/01.sql', "INSERT INTO counter (key, value) VALUES ('reindexed', 1);");
    project.writeSql(
      'on_restart/01_view.sql',
      'CREATE OR REPLACE VIEW counter_total AS SELECT SUM(value) AS total FROM counter;',
    );
    if (kind === 'sqlite') {
      project.writeSql(
        'on_restart/01_view.sql',
        'DROP VIEW IF EXISTS counter_total;\nCREATE VIEW counter_total AS SELECT SUM(value) AS total FROM counter;',
      );
    }
    const log: string[] = [];
    const config = project.config({ immuneTables: ['keepsake'] });

    const first = createApp(config, { hooks: systemHooks(log) });
    await first.app.start();
    await first.app.dataSource.query('CREATE TABLE keepsake (id INTEGER PRIMARY KEY)');
    await first.app.dataSource.query('INSERT INTO keepsake (id) VALUES (7)');
    expect(await counters(first.app)).toEqual(['reindexed=1']);
    await first.app.stop();
    expect(log).toEqual(['on_reindex', 'on_restart']);

    const second = createApp(config, { hooks: systemHooks(log) });
    await second.app.start();
    const [total] = await second.app.dataSource.query('SELECT total FROM counter_total');
    expect(Number(total.total)).toBe(1);
    const schema = second.container.resolve((await import('../database/schema-manager.js')).SchemaManager);
    const dropped = await schema.wipe({ immune: false });
    expect(dropped.sort()).toEqual(['counter', 'counter_total']);
    await second.app.stop();
    expect(log).toEqual(['on_reindex', 'on_restart', 'on_restart']);

    const third = createApp(config, { hooks: systemHooks(log) });
    await third.app.start();
    expect(await counters(third.app)).toEqual(['reindexed=1']);
    expect(await third.app.dataSource.query('SELECT id FROM keepsake')).toEqual([{ id: 7 }]);
    await third.app.stop();
    expect(log).toEqual(['on_reindex', 'on_restart', 'on_restart', 'on_reindex', 'on_restart']);
  });

  it('wipes immune tables too with wipe({ immune: true }), as `schema wipe --immune` does', async () => {
    const config = project.config({ immuneTables: ['keepsake'] });
    const { app, container } = createApp(config);
    await app.start();
    await app.dataSource.query('CREATE TABLE keepsake (id INTEGER PRIMARY KEY)');
    const schema = container.resolve((await import('../database/schema-manager.js')).SchemaManager);
    expect((await schema.wipe({ immune: true })).sort()).toEqual(['counter', 'keepsake']);
    expect(await schema.getRecord()).toBeUndefined();
    const left = (await schema.listObjects())
      .map((object) => object.name)
      .filter((name) => !name.startsWith('hookdex_'));
    expect(left).toEqual([]);
    await app.stop();
  });

  it('fires a failing on_reindex again at the next start', async () => {
    const log: string[] = [];
    let fail = true;
    const config = project.config({});
    const hooks = systemHooks(log, {
      on_reindex: () => {
        log.push('on_reindex');
        if (fail) throw new Error('not today');
      },
    });
    const first = createApp(config, { hooks });
    await expect(first.app.start()).rejects.toThrow(CallbackError);
    expect(log).toEqual(['on_reindex']);
    fail = false;
    const second = createApp(config, { hooks });
    await second.app.start();
    await second.app.stop();
    expect(log).toEqual(['on_reindex', 'on_reindex', 'on_restart']);
  });

  it('stops with ReindexingRequiredError for a manual reindex, and keeps stopping until approved', async () => {
    const config = project.config({ hooks: { trigger: { run: () => {} } } });
    const hooks: Record<string, HookCallback> = {
      trigger: (ctx) => ctx.reindex('manual', 'the data is wrong'),
    };
    const first = createApp(config, { hooks });
    await first.app.start();
    const error = await first.app.fireHook('trigger').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReindexingRequiredError);
    expect((error as Error).message).toBe(
      'Reindexing required (manual): the data is wrong. Run `hookdex schema wipe` to start again, or `hookdex schema approve` to keep the data.',
    );
    const schema = first.container.resolve((await import('../database/schema-manager.js')).SchemaManager);
    await schema.recordReindex('manual');
    await first.app.stop();

    const second = createApp(config, { hooks });
    const again = await second.app.start().catch((caught: unknown) => caught);
    expect(again).toBeInstanceOf(ReindexingRequiredError);
    expect((again as ReindexingRequiredError).reason).toBe('manual');

    const third = createApp(config, { hooks });
    const thirdSchema = third.container.resolve(
      (await import('../database/schema-manager.js')).SchemaManager,
    );
    await thirdSchema.prepare();
    await thirdSchema.approve((await import('../database/schema-hash.js')).schemaHash(third.app.dataSource));
    await third.app.dataSource.destroy();
    const fourth = createApp(config, { hooks });
    await fourth.app.start();
    await fourth.app.stop();
  });

  it('wipes (sparing immune tables) and starts again when a job asks for a reindex whose action is wipe', async () => {
    const log: string[] = [];
    const config = project.config({
      hooks: { trigger: { run: () => {} } },
      jobs: { reindex_soon: { hook: 'trigger', trigger: { interval: 1 } } },
      reindex: { manual: 'wipe' },
      immuneTables: ['keepsake'],
    });
    const time = new FakeTime();
    let triggered = 0;
    const hooks = systemHooks(log, {
      trigger: async (ctx) => {
        triggered++;
        if (triggered === 1) await ctx.reindex('manual', 'start over');
      },
    });
    const { app } = createApp(config, { hooks, time });
    await app.start();
    await app.dataSource.query("INSERT INTO counter (key, value) VALUES ('doomed', 1)");
    await app.dataSource.query('CREATE TABLE keepsake (id INTEGER PRIMARY KEY)');
    await app.dataSource.query('INSERT INTO keepsake (id) VALUES (1)');
    await time.advance(1000);
    await vi.waitFor(() => expect(log).toEqual(['on_reindex', 'on_restart', 'on_reindex', 'on_restart']));
    expect(await counters(app)).toEqual([]);
    expect(await app.dataSource.query('SELECT id FROM keepsake')).toEqual([{ id: 1 }]);
    // Jobs run again after the restart.
    await vi.waitFor(async () => {
      await time.advance(1000);
      expect(triggered).toBeGreaterThanOrEqual(2);
    });
    expect(app.error).toBeUndefined();
    await app.stop();
  });

  it('ignores a reindex whose action is ignore', async () => {
    const config = project.config({ hooks: { trigger: { run: () => {} } }, reindex: { manual: 'ignore' } });
    const { app } = createApp(config, { hooks: { trigger: (ctx) => ctx.reindex('manual') } });
    await app.start();
    await app.fireHook('trigger');
    await app.stop();
    expect(app.error).toBeUndefined();
  });

  it('stops with schema_modified when the models changed since the database was created', async () => {
    const config = project.config({});
    const first = createApp(config);
    await first.app.start();
    await first.app.stop();
    const Wider = new EntitySchema<{ key: string; value: number; note: string }>({
      name: 'Counter',
      tableName: 'counter',
      columns: {
        key: { type: 'varchar', length: 64, primary: true },
        value: { type: 'integer' },
        note: { type: 'varchar', length: 20, nullable: true },
      },
    });
    const second = createApp(config, { entities: [Wider] });
    const error = await second.app.start().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReindexingRequiredError);
    expect((error as ReindexingRequiredError).reason).toBe('schema_modified');
  });

  it('refuses to start when a configured hook has no callback', async () => {
    const config = project.config({ hooks: { calculate_stats: { run: () => {} } } });
    const { app } = createApp(config);
    const error = await app.start().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(
      'hooks.calculate_stats: expected a callback for every hook in `hooks:`, found no callback for `calculate_stats`',
    );
  });
});
