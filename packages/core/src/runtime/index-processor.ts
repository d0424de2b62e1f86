import type { QueryRunner } from 'typeorm';
import type { IndexConfig, IndexHandlerConfig } from '../config/config-types.js';
import { CallbackError } from '../errors/errors.js';
import { HookdexError } from '../errors/hookdex-error.js';
import type { HookManager } from '../hooks/hook-manager.js';
import type { Logger } from '../logging/logger.js';
import type { Mutex } from '../transactions/mutex.js';
import type { TransactionManager } from '../transactions/transaction-manager.js';
import type { Datasource, Level } from './datasource.js';
import type { HandlerRegistry } from './handler-registry.js';
import type { IndexKind } from './index-kind.js';
import type { IndexState, IndexStateStore, IndexStatus } from './index-state-store.js';

/** The journal as the runtime uses it (see `Journal`). */
export interface LevelJournal {
  begin(queryRunner: QueryRunner, index: string, level: number): Promise<void>;
  end(queryRunner: QueryRunner): Promise<void>;
  revert(queryRunner: QueryRunner, index: string, toLevel: number): Promise<number>;
  prune(queryRunner: QueryRunner, index: string, level: number): Promise<number>;
}

export interface IndexProcessorOptions {
  name: string;
  config: IndexConfig;
  configHash: string;
  datasource: Datasource;
  kind: IndexKind;
  handlers: HandlerRegistry;
  hooks: HookManager;
  transactions: TransactionManager;
  store: IndexStateStore;
  journal: LevelJournal;
  rollbackDepth: number;
  logger: Logger;
  /** Called whenever the status changes (the runtime decides about `on_synchronized`). */
  onStatus: () => Promise<void>;
  /** Counts levels and items for progress output. */
  onLevel?: (index: string, level: Level, matched: number) => void;
  /** Serialises level transactions across indexes. */
  levels: Mutex;
}

// NOTE: levels with nothing to handle are not each written: the stored level moves on at most every
// this many levels (or at once in realtime); after a crash they are simply fetched again.
const EMPTY_LEVELS_PER_WRITE = 1000;
// NOTE: journal and level-hash rows below the rollback window are deleted every this many levels.
const PRUNE_EVERY = 100;

/**
 * Runs one index: checks its stored head against the chain, then consumes its datasource stream.
 * Every level with matched items is one transaction: the handlers (and hooks they fire), the journal
 * of their writes and the index's level and hash commit together or not at all.
 */
export class IndexProcessor {
  readonly name: string;
  private level: number;
  private hash: string | null;
  private status: IndexStatus = 'syncing';
  private lastWritten: number;
  private lastPruned: number;

  constructor(
    private readonly options: IndexProcessorOptions,
    state: IndexState,
  ) {
    this.name = options.name;
    this.level = state.level;
    this.hash = state.hash;
    this.lastWritten = state.level;
    this.lastPruned = state.level;
  }

  get currentLevel(): number {
    return this.level;
  }

  get currentStatus(): IndexStatus {
    return this.status;
  }

  /** Runs until the stream ends (`last_level` reached) or `signal` is aborted. */
  async run(signal: AbortSignal): Promise<void> {
    const { config, datasource } = this.options;
    await this.checkHead();
    const last = config.lastLevel;
    if (last !== undefined && this.level >= last) {
      await this.setStatus('done');
      return;
    }
    const stream = datasource.stream({
      from: this.level + 1,
      ...(last === undefined ? {} : { to: last }),
      signal,
    });
    for await (const event of stream) {
      if (signal.aborted) break;
      switch (event.type) {
        case 'level':
          await this.processLevel(event.level, event.head);
          break;
        case 'realtime':
          await this.flushState();
          await this.setStatus('realtime');
          break;
        case 'syncing':
          await this.setStatus('syncing');
          break;
        case 'reorg':
          await this.reorg(event.toLevel);
          break;
        default: {
          const exhaustive: never = event;
          throw new Error(`Unknown datasource event ${JSON.stringify(exhaustive)}`);
        }
      }
      if (last !== undefined && this.level >= last) break;
    }
    await this.flushState();
    if (!signal.aborted && last !== undefined && this.level >= last) await this.setStatus('done');
  }

  /** Reverts the journal above `toLevel` and moves the index there (`ctx.rollback`). */
  async rollback(fromLevel: number, toLevel: number): Promise<void> {
    const { store, journal, transactions } = this.options;
    let hash: string | null = null;
    await this.options.levels.run(() =>
      transactions.transaction(async ({ queryRunner }) => {
        const reverted = await journal.revert(queryRunner, this.name, toLevel);
        await store.deleteLevelHashesAbove(queryRunner, this.name, toLevel);
        const [known] = await store.levelHashes(queryRunner, this.name, toLevel);
        hash = known !== undefined && known.level === toLevel ? known.hash : null;
        await store.put(queryRunner, this.stateAt(toLevel, hash));
        this.options.logger.info('Rolled back index', {
          index: this.name,
          from_level: fromLevel,
          to_level: toLevel,
          changes: reverted,
        });
      }),
    );
    this.level = toLevel;
    this.hash = hash;
    this.lastWritten = toLevel;
  }

  private async processLevel(level: Level, head: number | undefined): Promise<void> {
    if (level.number <= this.level) {
      throw new Error(
        `Datasource ${this.options.datasource.name} delivered level ${level.number} to index ${this.name}, which is already at ${this.level}.`,
      );
    }
    const matched: Array<[IndexHandlerConfig, unknown]> = [];
    for (const item of level.items) {
      for (const handler of this.options.config.handlers) {
        if (this.options.kind.matches(handler, item)) matched.push([handler, item]);
      }
    }
    this.options.onLevel?.(this.name, level, matched.length);
    if (matched.length === 0) {
      this.level = level.number;
      this.hash = level.hash;
      if (this.status === 'realtime' || this.level - this.lastWritten >= EMPTY_LEVELS_PER_WRITE)
        await this.flushState();
      return;
    }
    const { transactions, journal, store, hooks, handlers } = this.options;
    const prune = level.number - this.lastPruned >= PRUNE_EVERY;
    // NOTE: as DipDup does, a level more than rollback_depth below the head is not journaled: a
    // reorg reaching it would be deeper than rollback_depth, which is a reindex anyway.
    const journaled =
      head === undefined || this.status === 'realtime' || head - level.number < this.options.rollbackDepth;
    await this.options.levels.run(() =>
      transactions.transaction(async ({ queryRunner }) => {
        if (journaled) await journal.begin(queryRunner, this.name, level.number);
        for (const [handler, item] of matched) {
          const callback = handlers.get(handler.callback)!;
          const context = hooks.handlerContext(handler, this.name, level.number);
          try {
            await callback(context, item);
          } catch (error) {
            if (HookdexError.is(error)) throw error;
            throw new CallbackError({ kind: 'handler', callback: handler.callback, cause: error });
          }
        }
        if (journaled) await journal.end(queryRunner);
        await store.putLevelHash(queryRunner, this.name, level.number, level.hash);
        await store.put(queryRunner, this.stateAt(level.number, level.hash));
        if (prune) {
          const below = level.number - this.options.rollbackDepth;
          await journal.prune(queryRunner, this.name, below);
          await store.pruneLevelHashes(queryRunner, this.name, below - 1);
        }
      }),
    );
    this.level = level.number;
    this.hash = level.hash;
    this.lastWritten = level.number;
    if (prune) this.lastPruned = level.number;
  }

  private async reorg(toLevel: number): Promise<void> {
    if (toLevel >= this.level) return;
    await this.flushState();
    const fromLevel = this.level;
    this.options.logger.warn('Received reorg', {
      index: this.name,
      from_level: fromLevel,
      to_level: toLevel,
    });
    await this.options.hooks.fireSystem('on_index_rollback', { index: this.name, fromLevel, toLevel });
    // Whatever the hook did (the default body calls ctx.rollback), the index continues from toLevel.
    if (this.level !== toLevel) {
      await this.options.transactions.transaction(async ({ queryRunner }) => {
        await this.options.store.put(queryRunner, this.stateAt(toLevel, null));
      });
      this.level = toLevel;
      this.hash = null;
      this.lastWritten = toLevel;
    }
    if (this.status === 'realtime') await this.setStatus('syncing');
  }

  /** On start: is the stored head still on the chain? If not, roll back to where they agree. */
  private async checkHead(): Promise<void> {
    if (this.hash === null) return;
    const datasource = this.options.datasource;
    const onChain = await datasource.getHash(this.level);
    if (onChain === undefined || onChain === this.hash) return;
    const stored = await this.options.transactions.connection((queryRunner) =>
      this.options.store.levelHashes(queryRunner, this.name, this.level),
    );
    for (const candidate of stored) {
      if (candidate.level === this.level) continue;
      if ((await datasource.getHash(candidate.level)) === candidate.hash) {
        this.options.logger.warn('Found stored head off the chain on restart', {
          index: this.name,
          level: this.level,
          common_level: candidate.level,
        });
        await this.reorg(candidate.level);
        return;
      }
    }
    const floor = this.options.config.firstLevel === undefined ? -1 : this.options.config.firstLevel - 1;
    await this.reorg(Math.max(floor, this.level - this.options.rollbackDepth - 1));
  }

  private async flushState(): Promise<void> {
    if (this.level === this.lastWritten) return;
    const state = this.stateAt(this.level, this.hash);
    await this.options.transactions.transaction(async ({ queryRunner }) => {
      await this.options.store.put(queryRunner, state);
    });
    this.lastWritten = this.level;
  }

  private async setStatus(status: IndexStatus): Promise<void> {
    if (this.status === status) return;
    this.status = status;
    await this.options.transactions.transaction(async ({ queryRunner }) => {
      await this.options.store.put(queryRunner, this.stateAt(this.level, this.hash));
    });
    this.lastWritten = this.level;
    await this.options.onStatus();
  }

  private stateAt(level: number, hash: string | null): IndexState {
    return { name: this.name, level, hash, status: this.status, configHash: this.options.configHash };
  }
}
