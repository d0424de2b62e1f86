import type { IndexConfig } from '../config/config-types.js';
import type { ReindexService } from '../database/reindex-service.js';
import { ConfigurationError } from '../errors/errors.js';
import type { HookManager } from '../hooks/hook-manager.js';
import type { Logger } from '../logging/logger.js';
import { Mutex } from '../transactions/mutex.js';
import type { TransactionManager } from '../transactions/transaction-manager.js';
import type { Datasource, DatasourceFactory, Level } from './datasource.js';
import type { HandlerRegistry } from './handler-registry.js';
import { hashIndexConfig } from './hash-index-config.js';
import { fieldMatchIndexKind, type IndexKind } from './index-kind.js';
import { IndexProcessor, type LevelJournal } from './index-processor.js';
import type { IndexStateStore } from './index-state-store.js';
import type { RuntimeControl } from './runtime-link.js';

/** The default of `advanced.rollback_depth` when no datasource says otherwise. */
export const DEFAULT_ROLLBACK_DEPTH = 64;

export interface IndexingRuntimeOptions {
  indexes: Readonly<Record<string, IndexConfig>>;
  datasourceConfigs: Readonly<Record<string, { kind: string; options: Readonly<Record<string, unknown>> }>>;
  datasourceKinds: Readonly<Record<string, DatasourceFactory>>;
  indexKinds: Readonly<Record<string, IndexKind>>;
  handlers: HandlerRegistry;
  hooks: HookManager;
  transactions: TransactionManager;
  store: IndexStateStore;
  journal: LevelJournal;
  reindexer: ReindexService;
  rollbackDepth: number | undefined;
  logger: Logger;
  /** Every index is realtime (after `on_synchronized`): start postponed jobs. */
  onSynchronized: () => void;
  onLevel?: (index: string, level: Level, matched: number) => void;
}

/**
 * Runs every index concurrently, each on its datasource stream, and fires `on_synchronized` each
 * time all active indexes have become realtime (never with zero indexes). In one-shot mode (every
 * index has `last_level`) `run` resolves once they all reached it, after one `on_synchronized`.
 */
export class IndexingRuntime implements RuntimeControl {
  private readonly processors = new Map<string, IndexProcessor>();
  private readonly runs = new Map<string, Promise<void>>();
  private readonly datasources = new Map<string, Promise<Datasource>>();
  private readonly pending = new Map<string, IndexConfig>();
  private readonly configs = new Map<string, IndexConfig>();
  private readonly abort = new AbortController();
  // NOTE: level transactions of different indexes run one at a time (as DipDup's single connection
  // does): two indexes writing the same rows in parallel transactions could otherwise deadlock,
  // and each journal entry belongs to exactly one index's level.
  private readonly levels = new Mutex();
  private synchronized = false;
  private started = false;
  private failure: ((error: unknown) => void) | undefined;
  private statusChain: Promise<void> = Promise.resolve();

  constructor(private readonly options: IndexingRuntimeOptions) {
    for (const [name, config] of Object.entries(options.indexes)) this.pending.set(name, config);
  }

  /** True when every index (configured or added) has `last_level`: index to the end, then stop. */
  get oneShot(): boolean {
    const configs = [...this.pending.values(), ...this.configs.values()];
    return configs.length > 0 && configs.every((config) => config.lastLevel !== undefined);
  }

  /** How many indexes there are (configured and added). */
  get size(): number {
    return this.pending.size + this.processors.size;
  }

  /** Checks kinds, datasources and handlers of every index before anything runs. */
  validate(): void {
    for (const [name, config] of this.pending) this.validateIndex(name, config);
  }

  /**
   * Starts every index and resolves when all have finished (one-shot) or `stop` was called;
   * rejects with the first failure (a handler error, a datasource error).
   */
  run(): Promise<void> {
    this.started = true;
    return new Promise<void>((resolve, reject) => {
      this.failure = (error) => {
        this.abort.abort(error);
        reject(error);
      };
      const starting = [...this.pending.entries()];
      for (const [name, config] of starting) this.configs.set(name, config);
      this.pending.clear();
      void Promise.all(starting.map(([name, config]) => this.startIndex(name, config)))
        .then(async () => {
          await this.allSettled();
          await this.statusChain;
          resolve();
        })
        .catch((error: unknown) => this.failure?.(error));
    });
  }

  /** Asks every index to stop after its current level, and waits until they have. */
  async stop(): Promise<void> {
    if (!this.abort.signal.aborted) this.abort.abort(new Error('hookdex is stopping'));
    await Promise.allSettled(this.runs.values());
  }

  /** Closes every datasource. */
  async close(): Promise<void> {
    for (const datasource of this.datasources.values()) {
      try {
        await (await datasource).close?.();
      } catch (error) {
        this.options.logger.error('Failed to close datasource', { error });
      }
    }
  }

  async rollback(index: string, fromLevel: number, toLevel: number): Promise<void> {
    const processor = this.processors.get(index);
    if (processor === undefined) {
      throw new ConfigurationError({
        path: `indexes.${index}`,
        expected: 'the name of a running index',
        found: `\`${index}\``,
      });
    }
    if (!Number.isInteger(fromLevel) || !Number.isInteger(toLevel) || fromLevel <= toLevel) {
      throw new RangeError(
        `rollback(${index}, ${fromLevel}, ${toLevel}): expected integer levels with fromLevel above toLevel.`,
      );
    }
    const depth = this.depthOf(index);
    if (fromLevel - toLevel > depth) {
      await this.options.reindexer.reindex(
        'rollback',
        `index ${index} must roll back ${fromLevel - toLevel} levels (${fromLevel} to ${toLevel}), more than rollback_depth ${depth}`,
      );
      return;
    }
    await processor.rollback(fromLevel, toLevel);
  }

  async addIndex(
    name: string,
    config: Omit<IndexConfig, 'options'> & { options?: IndexConfig['options'] },
  ): Promise<void> {
    if (this.processors.has(name) || this.pending.has(name)) {
      throw new ConfigurationError({
        path: `indexes.${name}`,
        expected: 'a new index name',
        found: 'an index of that name',
      });
    }
    const full: IndexConfig = { ...config, options: config.options ?? {} };
    this.validateIndex(name, full);
    if (this.started) await this.startIndex(name, full);
    else this.pending.set(name, full);
  }

  private async startIndex(name: string, config: IndexConfig): Promise<void> {
    const { store, transactions, logger } = this.options;
    const datasource = await this.datasourceOf(config.datasource);
    const configHash = hashIndexConfig(config);
    let state = await transactions.connection((queryRunner) => store.get(queryRunner, name));
    if (state !== undefined && state.configHash !== configHash) {
      await this.options.reindexer.reindex('config_modified', `the configuration of index ${name} changed`);
      state = { ...state, configHash };
    }
    const initial = state ?? {
      name,
      level: (config.firstLevel ?? 0) - 1,
      hash: null,
      status: 'syncing' as const,
      configHash,
    };
    const depth = this.depthOf(name, datasource);
    this.depths.set(name, depth);
    const processor = new IndexProcessor(
      {
        name,
        config,
        configHash,
        datasource,
        kind: this.options.indexKinds[config.kind] ?? fieldMatchIndexKind,
        handlers: this.options.handlers,
        hooks: this.options.hooks,
        transactions,
        store,
        journal: this.options.journal,
        rollbackDepth: depth,
        logger,
        onStatus: () => this.statusChanged(),
        levels: this.levels,
        ...(this.options.onLevel === undefined ? {} : { onLevel: this.options.onLevel }),
      },
      initial,
    );
    this.processors.set(name, processor);
    this.configs.set(name, config);
    if (this.abort.signal.aborted) return;
    logger.info('Started index', { index: name, level: initial.level, datasource: config.datasource });
    const running = processor.run(this.abort.signal).catch((error: unknown) => {
      this.failure?.(error);
    });
    this.runs.set(name, running);
  }

  /** Waits for every index run, including ones added while waiting. */
  private async allSettled(): Promise<void> {
    let seen = 0;
    while (seen < this.runs.size) {
      seen = this.runs.size;
      await Promise.all(this.runs.values());
    }
  }

  /** Serialised: on_synchronized fires once per transition to "every active index is realtime". */
  private statusChanged(): Promise<void> {
    this.statusChain = this.statusChain.then(() => this.evaluateStatus());
    return this.statusChain;
  }

  private async evaluateStatus(): Promise<void> {
    if (this.abort.signal.aborted) return;
    const processors = [...this.processors.values()];
    if (processors.length === 0) return;
    const oneShot = this.oneShot;
    const active = processors.filter((processor) => processor.currentStatus !== 'done');
    const ready = oneShot
      ? active.length === 0
      : active.length > 0 && active.every((p) => p.currentStatus === 'realtime');
    if (!ready) {
      this.synchronized = false;
      return;
    }
    if (this.synchronized) return;
    this.synchronized = true;
    this.options.logger.info('Synchronized every index', { indexes: processors.length });
    await this.options.hooks.fireSystem('on_synchronized');
    if (!oneShot) this.options.onSynchronized();
  }

  /** `advanced.rollback_depth`, else the datasource's own, else the default. */
  private depthOf(index: string, datasource?: Datasource): number {
    if (this.options.rollbackDepth !== undefined) return this.options.rollbackDepth;
    return datasource?.rollbackDepth ?? this.depths.get(index) ?? DEFAULT_ROLLBACK_DEPTH;
  }

  private readonly depths = new Map<string, number>();

  private datasourceOf(name: string): Promise<Datasource> {
    let datasource = this.datasources.get(name);
    if (datasource === undefined) {
      const config = this.options.datasourceConfigs[name]!;
      const factory = this.options.datasourceKinds[config.kind]!;
      datasource = Promise.resolve(factory({ name, options: config.options }));
      this.datasources.set(name, datasource);
    }
    return datasource;
  }

  private validateIndex(name: string, config: IndexConfig): void {
    const datasource = this.options.datasourceConfigs[config.datasource];
    if (datasource === undefined) {
      throw new ConfigurationError({
        path: `indexes.${name}.datasource`,
        expected: `a datasource declared under \`datasources:\` (${Object.keys(this.options.datasourceConfigs).join(', ') || 'none'})`,
        found: `\`${config.datasource}\``,
      });
    }
    if (this.options.datasourceKinds[datasource.kind] === undefined) {
      throw new ConfigurationError({
        path: `datasources.${config.datasource}.kind`,
        expected: `a registered datasource kind (${Object.keys(this.options.datasourceKinds).join(', ') || 'none registered'})`,
        found: `\`${datasource.kind}\``,
        hint: "the project's entry registers its kinds: defineProject({ datasources: { ... } })",
      });
    }
    if (this.options.indexKinds[config.kind] === undefined) {
      throw new ConfigurationError({
        path: `indexes.${name}.kind`,
        expected: `a registered index kind (${Object.keys(this.options.indexKinds).join(', ') || 'none registered'})`,
        found: `\`${config.kind}\``,
        hint: "the project's entry registers its kinds: defineProject({ indexKinds: { ... } })",
      });
    }
    config.handlers.forEach((handler, position) => {
      if (!this.options.handlers.has(handler.callback)) {
        throw new ConfigurationError({
          path: `indexes.${name}.handlers[${position}].callback`,
          expected: `a handler callback registered as \`${handler.callback}\``,
          found: 'none',
          hint: `create handlers/${handler.callback.replaceAll('.', '/')}.ts`,
        });
      }
    });
  }
}
