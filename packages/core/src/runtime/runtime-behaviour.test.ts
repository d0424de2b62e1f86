import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, createProject, DATABASES, type TestProject } from '../_test/project.js';
import {
  actualState,
  datasourceConfig,
  expectedState,
  HolderEntity,
  onTransfer,
  prng,
  TransferEntity,
  type TransferItem,
  tokenChain,
  tokenIndex,
  transferKind,
} from '../_test/token-chain.js';
import { CallbackError } from '../errors/errors.js';
import type { HookCallback } from '../hooks/hook-registry.js';
import type { IndexRollbackArgs } from '../hooks/system-hooks.js';
import type { ScriptedChain } from '../testing/scripted-chain.js';
import type { HandlerCallback } from './handler-registry.js';

const WAIT = { timeout: 20_000 };

describe.each(DATABASES)('runtime behaviour on $name', ({ kind }) => {
  let project: TestProject;
  beforeEach(() => {
    project = createProject(kind);
  });
  afterEach(async () => {
    await project.cleanup();
  });

  function start(
    chain: ScriptedChain<TransferItem>,
    options: {
      indexes?: Parameters<TestProject['config']>[0]['indexes'];
      hooks?: Record<string, HookCallback>;
      userHooks?: Parameters<TestProject['config']>[0]['hooks'];
      handler?: HandlerCallback<TransferItem>;
      rollbackDepth?: number;
      /** More chains by datasource name, beside `chain`. */
      others?: Record<string, ScriptedChain<TransferItem>>;
    } = {},
  ) {
    const chains: Record<string, ScriptedChain<TransferItem>> = { chain, ...options.others };
    const config = project.config({
      datasources: Object.fromEntries(Object.keys(chains).map((name) => [name, datasourceConfig()])),
      indexes: options.indexes ?? { tokens: tokenIndex('chain') },
      ...(options.userHooks === undefined ? {} : { hooks: options.userHooks }),
      ...(options.rollbackDepth === undefined ? {} : { rollbackDepth: options.rollbackDepth }),
    });
    return createApp(config, {
      entities: [TransferEntity, HolderEntity],
      handlers: { on_transfer: options.handler ?? onTransfer },
      datasources: { scripted: ({ name }) => chains[name]! },
      indexKinds: { transfers: transferKind },
      hooks: options.hooks ?? {},
    });
  }

  it('reverts what SQL scripts, atomic hooks and deferred hooks fired from a handler did, as far as it was journaled', async () => {
    project.writeSql('count_transfer/01.sql', "INSERT INTO counter_like (id, note) VALUES (:id, 'script');");
    project.writeSql(
      'on_reindex/01.sql',
      'CREATE TABLE counter_like (id VARCHAR(64) PRIMARY KEY, note VARCHAR(16));',
    );
    const seen: string[] = [];
    const chain = tokenChain(20);
    const { app } = start(chain, {
      userHooks: {
        count_transfer: { atomic: true, args: { id: 'str' }, run: () => {} },
        alert: { args: { id: 'str' }, run: () => {} },
      },
      hooks: {
        count_transfer: (ctx, { id }: { id: string }) => ctx.executeSql('count_transfer', { id }),
        alert: async (ctx, { id }: { id: string }) => {
          const rows: unknown[] = await ctx.db.query(
            ctx.db.connection.options.type === 'postgres'
              ? 'SELECT 1 FROM transfer WHERE id = $1'
              : 'SELECT 1 FROM transfer WHERE id = ?',
            [id],
          );
          seen.push(`${id}:${rows.length}`);
        },
      },
      handler: async (ctx, item) => {
        await onTransfer(ctx, item);
        await ctx.fireHook('count_transfer', { id: item.id });
        await ctx.fireHook('alert', { id: item.id }, { wait: false });
      },
    });
    await app.start();
    await vi.waitFor(async () => expect(await actualState(app)).toEqual(expectedState(chain, 0, 19)), WAIT);
    const beforeReorg = (await app.dataSource.query('SELECT id FROM counter_like ORDER BY id')).map(
      (row: { id: string }) => row.id,
    );
    chain.reorg(5, 1);
    await vi.waitFor(
      async () => expect(await actualState(app)).toEqual(expectedState(chain, 0, chain.head)),
      WAIT,
    );
    const ids = (await app.dataSource.query('SELECT id FROM counter_like ORDER BY id')).map(
      (row: { id: string }) => row.id,
    );
    expect(ids).toEqual(
      expectedState(chain, 0, chain.head)
        .transfers.map((t) => t.split('@')[0])
        .sort(),
    );
    expect(beforeReorg.length).toBeGreaterThan(0);
    await app.hooks.drainDeferred();
    // Every deferred alert saw its transfer committed.
    expect(seen.every((entry) => entry.endsWith(':1'))).toBe(true);
    await app.stop();
  });

  it('leaves nothing of a level whose handler failed, and resumes from the last committed level', async () => {
    const chain = tokenChain(30);
    let failAt: number | undefined = 12;
    const handler: HandlerCallback<TransferItem> = async (ctx, item) => {
      await onTransfer(ctx, item);
      if (ctx.level === failAt) throw new Error('handler broke');
    };
    const first = start(chain, { handler, indexes: { tokens: tokenIndex('chain', { lastLevel: 29 }) } });
    await first.app.start();
    const error = await first.app.wait().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CallbackError);
    expect((error as Error).message).toBe('The handler `on_transfer` failed: handler broke');
    const firstLevelWithData = chain
      .levels()
      .find((level) => level.number >= 12 && level.items.length > 0)!.number;
    failAt = undefined;
    const viewer = start(chain, { indexes: {} });
    await viewer.app.start();
    expect(await actualState(viewer.app)).toEqual(expectedState(chain, 0, firstLevelWithData - 1));
    await viewer.app.stop();
    const second = start(chain, { handler, indexes: { tokens: tokenIndex('chain', { lastLevel: 29 }) } });
    await second.app.start();
    await second.app.wait();
    const final = start(chain, { indexes: {} });
    await final.app.start();
    expect(await actualState(final.app)).toEqual(expectedState(chain, 0, 29));
    await final.app.stop();
  });

  it('never fires on_synchronized with zero indexes, and starts an index added at on_restart', async () => {
    const chain = tokenChain(15);
    const log: string[] = [];
    const { app } = start(chain, {
      indexes: {},
      hooks: {
        on_synchronized: () => void log.push('on_synchronized'),
        on_restart: async (ctx) => {
          log.push('on_restart');
          if (log.filter((entry) => entry === 'on_restart').length === 2) {
            await ctx.addIndex('added', tokenIndex('chain', { lastLevel: 14 }));
          }
        },
      },
    });
    await app.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log).toEqual(['on_restart']);
    await app.stop();
    const again = start(chain, {
      indexes: {},
      hooks: {
        on_synchronized: () => void log.push('on_synchronized'),
        on_restart: async (ctx) => {
          log.push('on_restart');
          await ctx.addIndex('added', tokenIndex('chain', { lastLevel: 14 }));
        },
      },
    });
    await again.app.start();
    await again.app.wait();
    expect(log).toEqual(['on_restart', 'on_restart', 'on_synchronized']);
    const viewer = start(chain, { indexes: {} });
    await viewer.app.start();
    expect(await actualState(viewer.app)).toEqual(expectedState(chain, 0, 14));
    await viewer.app.stop();
  });

  it('refuses ctx.rollback with fromLevel not above toLevel, or of an unknown index', async () => {
    const chain = tokenChain(5);
    const errors: string[] = [];
    const { app } = start(chain, {
      userHooks: { probe: { run: () => {} } },
      hooks: {
        probe: async (ctx) => {
          for (const [index, from, to] of [
            ['tokens', 3, 3],
            ['tokens', 2, 4],
            ['nope', 4, 2],
          ] as const) {
            await ctx.rollback(index, from, to).catch((error: Error) => errors.push(error.message));
          }
        },
      },
    });
    await app.start();
    await vi.waitFor(async () => expect(await actualState(app)).toEqual(expectedState(chain, 0, 4)), WAIT);
    await app.fireHook('probe');
    expect(errors).toEqual([
      'rollback(tokens, 3, 3): expected integer levels with fromLevel above toLevel.',
      'rollback(tokens, 2, 4): expected integer levels with fromLevel above toLevel.',
      'indexes.nope: expected the name of a running index, found `nope`.',
    ]);
    expect(await actualState(app)).toEqual(expectedState(chain, 0, 4));
    await app.stop();
  });

  it('prunes the journal per index, keeping each index its own rollback window', async () => {
    const chain = tokenChain(400);
    // Each index ends at its chain's head, so its newest rollback_depth levels are journaled.
    const short = tokenChain(151, { name: 'short' });
    const { app } = start(chain, {
      rollbackDepth: 20,
      others: { short },
      indexes: {
        fast: tokenIndex('chain', { lastLevel: 399 }),
        slow: tokenIndex('short', { lastLevel: 150 }),
      },
      handler: (ctx, item) =>
        ctx.db.getRepository(TransferEntity).insert({
          id: `${ctx.index}-${item.id}`,
          level: ctx.level,
          sender: item.from,
          receiver: item.to,
          amount: item.amount,
        }),
    });
    await app.start();
    await app.wait();
    const viewer = start(chain, { indexes: {} });
    await viewer.app.start();
    const rows: Array<{ index_name: string; low: number | string; high: number | string }> =
      await viewer.app.dataSource.query(
        'SELECT index_name, MIN(level) AS low, MAX(level) AS high FROM hookdex_journal GROUP BY index_name ORDER BY index_name',
      );
    const byIndex = Object.fromEntries(
      rows.map((row) => [row.index_name, [Number(row.low), Number(row.high)]]),
    );
    expect(byIndex.fast![1]).toBeGreaterThan(380);
    expect(byIndex.fast![0]).toBeGreaterThan(399 - 20 - 100);
    expect(byIndex.slow![1]).toBeLessThanOrEqual(150);
    expect(byIndex.slow![0]).toBeGreaterThan(150 - 20 - 100);
    expect(byIndex.slow![0]).toBeLessThan(byIndex.fast![0]!);
    await viewer.app.stop();
  });

  it('ends equal to indexing only the final canonical chain, through random reorgs', async () => {
    const random = prng(kind === 'sqlite' ? 7 : 11);
    const chain = tokenChain(50, { rollbackDepth: 12 });
    const rollbacks: IndexRollbackArgs[] = [];
    const { app } = start(chain, {
      hooks: {
        on_index_rollback: async (ctx, args: IndexRollbackArgs) => {
          rollbacks.push(args);
          await ctx.rollback(args.index, args.fromLevel, args.toLevel);
        },
      },
    });
    await app.start();
    for (let step = 0; step < 25; step++) {
      if (random() < 0.4) chain.reorg(1 + Math.floor(random() * 8), Math.floor(random() * 3));
      else chain.append(1 + Math.floor(random() * 4));
      if (random() < 0.5)
        await vi.waitFor(
          async () =>
            expect((await actualState(app)).transfers).toEqual(expectedState(chain, 0, chain.head).transfers),
          WAIT,
        );
    }
    await vi.waitFor(
      async () => expect(await actualState(app)).toEqual(expectedState(chain, 0, chain.head)),
      WAIT,
    );
    expect(rollbacks.length).toBeGreaterThan(3);
    expect(app.error).toBeUndefined();
    await app.stop();
  }, 60_000);
});
