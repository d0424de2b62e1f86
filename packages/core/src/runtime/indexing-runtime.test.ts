import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, createProject, DATABASES, FakeTime, type TestProject } from '../_test/project.js';
import type { TransferItem } from '../_test/token-chain.js';
import {
  actualState,
  datasourceConfig,
  expectedState,
  HolderEntity,
  onTransfer,
  TransferEntity,
  tokenChain,
  tokenIndex,
  transferKind,
} from '../_test/token-chain.js';
import { ReindexingRequiredError } from '../errors/errors.js';
import type { HookCallback } from '../hooks/hook-registry.js';
import type { IndexRollbackArgs } from '../hooks/system-hooks.js';
import type { ScriptedChain } from '../testing/scripted-chain.js';

const WAIT = { timeout: 15_000 };

describe.each(DATABASES)('the indexing runtime on $name', ({ kind }) => {
  let project: TestProject;
  beforeEach(() => {
    project = createProject(kind);
  });
  afterEach(async () => {
    await project.cleanup();
  });

  function start(
    chains: Record<string, ScriptedChain<TransferItem>>,
    options: {
      indexes?: Parameters<TestProject['config']>[0]['indexes'];
      hooks?: Record<string, HookCallback>;
      jobs?: Parameters<TestProject['config']>[0]['jobs'];
      postponeJobs?: boolean;
      rollbackDepth?: number;
      time?: FakeTime;
      userHooks?: Parameters<TestProject['config']>[0]['hooks'];
    } = {},
  ) {
    const config = project.config({
      datasources: Object.fromEntries(Object.keys(chains).map((name) => [name, datasourceConfig()])),
      indexes: options.indexes ?? { tokens: tokenIndex(Object.keys(chains)[0]!) },
      ...(options.userHooks === undefined ? {} : { hooks: options.userHooks }),
      ...(options.jobs === undefined ? {} : { jobs: options.jobs }),
      ...(options.postponeJobs === undefined ? {} : { postponeJobs: options.postponeJobs }),
      ...(options.rollbackDepth === undefined ? {} : { rollbackDepth: options.rollbackDepth }),
    });
    return createApp(config, {
      entities: [TransferEntity, HolderEntity],
      handlers: { on_transfer: onTransfer },
      datasources: { scripted: ({ name }) => chains[name]! },
      indexKinds: { transfers: transferKind },
      hooks: options.hooks ?? {},
      ...(options.time === undefined ? {} : { time: options.time }),
    });
  }

  it('indexes to last_level in one-shot mode, fires on_synchronized once, runs no job, and stops', async () => {
    const chain = tokenChain(60);
    const log: string[] = [];
    let jobRuns = 0;
    const { app } = start(
      { chain },
      {
        indexes: { tokens: tokenIndex('chain', { firstLevel: 5, lastLevel: 50 }) },
        hooks: { on_synchronized: () => void log.push('on_synchronized'), tick: () => void jobRuns++ },
        userHooks: { tick: { run: () => {} } },
        jobs: { ticker: { hook: 'tick', trigger: { interval: 0.001 } } },
      },
    );
    await app.start();
    expect(app.oneShot).toBe(true);
    await app.wait();
    expect(log).toEqual(['on_synchronized']);
    expect(jobRuns).toBe(0);
    const reopened = start(
      { chain },
      { indexes: { tokens: tokenIndex('chain', { firstLevel: 5, lastLevel: 50 }) } },
    );
    await reopened.app.start();
    await reopened.app.wait();
    expect(chain.delivered.filter(([level]) => level > 50)).toEqual([]);
    const { app: viewer } = start({ chain }, { indexes: {} });
    await viewer.start();
    expect(await actualState(viewer)).toEqual(expectedState(chain, 5, 50));
    await viewer.stop();
  });

  it('fires on_synchronized on every transition to realtime, starting postponed jobs at the first', async () => {
    const chain = tokenChain(30);
    const log: string[] = [];
    const time = new FakeTime();
    let jobRuns = 0;
    const jobsStartedAtSync: boolean[] = [];
    const { app } = start(
      { chain },
      {
        hooks: {
          on_synchronized: () => {
            log.push('on_synchronized');
            jobsStartedAtSync.push(app.jobs.started);
          },
          tick: () => void jobRuns++,
        },
        userHooks: { tick: { run: () => {} } },
        jobs: { ticker: { hook: 'tick', trigger: { interval: 1 } } },
        postponeJobs: true,
        time,
      },
    );
    expect(app.jobs.started).toBe(false);
    await app.start();
    await vi.waitFor(() => expect(log).toEqual(['on_synchronized']), WAIT);
    // Postponed jobs were not running while on_synchronized ran, and start right after it.
    expect(jobsStartedAtSync).toEqual([false]);
    await vi.waitFor(() => expect(app.jobs.started).toBe(true), WAIT);
    await time.advance(1000);
    await vi.waitFor(() => expect(jobRuns).toBe(1), WAIT);
    chain.append(5);
    await vi.waitFor(
      async () => expect((await actualState(app)).transfers).toEqual(expectedState(chain, 0, 34).transfers),
      WAIT,
    );
    expect(log).toEqual(['on_synchronized']);
    chain.append(40);
    await vi.waitFor(() => expect(log).toEqual(['on_synchronized', 'on_synchronized']), WAIT);
    expect(await actualState(app)).toEqual(expectedState(chain, 0, chain.head));
    await app.stop();
  });

  it('handles a reorg: on_index_rollback reverts the database, and the new branch is indexed', async () => {
    const chain = tokenChain(40);
    const rollbacks: IndexRollbackArgs[] = [];
    const { app } = start(
      { chain },
      {
        hooks: {
          on_index_rollback: async (ctx, args: IndexRollbackArgs) => {
            rollbacks.push(args);
            await ctx.rollback(args.index, args.fromLevel, args.toLevel);
          },
        },
      },
    );
    await app.start();
    await vi.waitFor(async () => expect(await actualState(app)).toEqual(expectedState(chain, 0, 39)), WAIT);
    const common = chain.reorg(4, 2);
    await vi.waitFor(
      async () => expect(await actualState(app)).toEqual(expectedState(chain, 0, chain.head)),
      WAIT,
    );
    expect(rollbacks).toEqual([{ index: 'tokens', fromLevel: 39, toLevel: common }]);
    await app.stop();
  });

  it('sends a reorg only to the indexes of that datasource above the common level', async () => {
    const chainA = tokenChain(30, { name: 'a' });
    const chainB = tokenChain(30, { name: 'b' });
    const rollbacks: string[] = [];
    const { app } = start(
      { a: chainA, b: chainB },
      {
        indexes: {
          on_a: tokenIndex('a'),
          on_b: tokenIndex('b'),
          on_a_low: {
            ...tokenIndex('a', { lastLevel: 20 }),
            handlers: [{ callback: 'on_transfer', match: { type: 'none' } }],
          },
        },
        hooks: {
          on_index_rollback: async (ctx, args: IndexRollbackArgs) => {
            rollbacks.push(`${args.index}:${args.fromLevel}->${args.toLevel}`);
            await ctx.rollback(args.index, args.fromLevel, args.toLevel);
          },
        },
      },
    );
    await app.start();
    await vi.waitFor(
      () => expect(chainA.delivered.length + chainB.delivered.length).toBeGreaterThanOrEqual(81),
      WAIT,
    );
    expect(app.error).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    chainA.reorg(3);
    await vi.waitFor(() => expect(rollbacks).toEqual(['on_a:29->26']), WAIT);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rollbacks).toEqual(['on_a:29->26']);
    await app.stop();
  });

  it('goes to the reindex path when a rollback is deeper than rollback_depth', async () => {
    const chain = tokenChain(30);
    const { app } = start({ chain }, { rollbackDepth: 3 });
    await app.start();
    await vi.waitFor(async () => expect(await actualState(app)).toEqual(expectedState(chain, 0, 29)), WAIT);
    const stopped = app.wait().catch((error: unknown) => error);
    chain.reorg(5);
    const error = await stopped;
    expect(error).toBeInstanceOf(ReindexingRequiredError);
    expect((error as ReindexingRequiredError).reason).toBe('rollback');
    const again = start({ chain }, { rollbackDepth: 3 });
    await expect(again.app.start()).rejects.toThrow('Reindexing required (rollback)');
  });

  it('asks for a reindex (config_modified) when an index configuration changed', async () => {
    const chain = tokenChain(10);
    const first = start({ chain }, { indexes: { tokens: tokenIndex('chain', { lastLevel: 9 }) } });
    await first.app.start();
    await first.app.wait();
    const second = start(
      { chain },
      { indexes: { tokens: tokenIndex('chain', { firstLevel: 2, lastLevel: 9 }) } },
    );
    await second.app.start();
    const error = await second.app.wait().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReindexingRequiredError);
    expect((error as ReindexingRequiredError).reason).toBe('config_modified');
    // `schema approve` adopts the new configuration and keeps the data.
    const third = start(
      { chain },
      { indexes: { tokens: tokenIndex('chain', { firstLevel: 2, lastLevel: 9 }) } },
    );
    const { SchemaManager } = await import('../database/schema-manager.js');
    const { schemaHash } = await import('../database/schema-hash.js');
    const schema = third.container.resolve(SchemaManager);
    await schema.prepare();
    expect(await schema.approve(schemaHash(third.app.dataSource))).toEqual({ indexes: ['tokens'] });
    await third.app.dataSource.destroy();
    const fourth = start(
      { chain },
      { indexes: { tokens: tokenIndex('chain', { firstLevel: 2, lastLevel: 9 }) } },
    );
    await fourth.app.start();
    await fourth.app.wait();
    expect(fourth.app.error).toBeUndefined();
  });

  it('treats a stored head that is no longer on the chain at restart as a rollback', async () => {
    const chain = tokenChain(30);
    const rollbacks: IndexRollbackArgs[] = [];
    const hooks = {
      on_index_rollback: async (ctx: Parameters<HookCallback>[0], args: IndexRollbackArgs) => {
        rollbacks.push(args);
        await ctx.rollback(args.index, args.fromLevel, args.toLevel);
      },
    };
    const first = start({ chain }, { indexes: { tokens: tokenIndex('chain', { lastLevel: 29 }) }, hooks });
    await first.app.start();
    await first.app.wait();
    const common = chain.reorg(3, 0);
    chain.append(3);
    const second = start({ chain }, { indexes: { tokens: tokenIndex('chain', { lastLevel: 29 }) }, hooks });
    await second.app.start();
    await second.app.wait();
    expect(rollbacks.length).toBe(1);
    expect(rollbacks[0]!.toLevel).toBeLessThanOrEqual(common);
    const viewer = start({ chain }, { indexes: {} });
    await viewer.app.start();
    expect(await actualState(viewer.app)).toEqual(expectedState(chain, 0, 29));
    await viewer.app.stop();
  });
});
