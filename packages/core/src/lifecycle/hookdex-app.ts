import { inject, injectable } from 'tsyringe';
import type { DataSource } from 'typeorm';
import type { HookdexConfig } from '../config/config-types.js';
import { ReindexService } from '../database/reindex-service.js';
import { schemaHash } from '../database/schema-hash.js';
import { SchemaManager } from '../database/schema-manager.js';
import {
  CONFIG,
  DATA_SOURCE,
  DATASOURCE_KINDS,
  INDEX_KINDS,
  LEVEL_OBSERVER,
  type LevelObserver,
  LOGGER,
} from '../di/tokens.js';
import {
  ConfigurationError,
  type ReindexingRequiredError,
  type RestartRequiredError,
} from '../errors/errors.js';
import { HookdexError } from '../errors/hookdex-error.js';
import { HookManager } from '../hooks/hook-manager.js';
import { HookRegistry } from '../hooks/hook-registry.js';
import type { FireHookArguments, HookName } from '../hooks/hookdex-register.js';
import { JobManager } from '../jobs/job-manager.js';
import { Journal } from '../journal/journal.js';
import type { Logger } from '../logging/logger.js';
import type { DatasourceFactory } from '../runtime/datasource.js';
import { HandlerRegistry } from '../runtime/handler-registry.js';
import type { IndexKind } from '../runtime/index-kind.js';
import { IndexStateStore } from '../runtime/index-state-store.js';
import { IndexingRuntime } from '../runtime/indexing-runtime.js';
import { RuntimeLink } from '../runtime/runtime-link.js';
import { TransactionManager } from '../transactions/transaction-manager.js';
import { Shutdown } from './shutdown.js';

// NOTE: a wipe restarts the startup sequence; a startup that keeps asking for one is a bug in the
// project's hooks, so give up after a few rounds instead of looping forever.
const MAX_RESTARTS = 3;

type State = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * A hookdex project's life cycle: database initialisation with `on_reindex` (only on a new or wiped
 * database) and `on_restart` (every start), jobs (held until `markSynchronized` with
 * `postpone_jobs`), reindex actions, restarts after a wipe, and a graceful stop.
 */
@injectable()
export class HookdexApp {
  private state: State = 'idle';
  private fatal: Error | undefined;
  private readonly stopWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private restarting: Promise<void> | undefined;
  private startupFailure: Error | undefined;

  constructor(
    @inject(CONFIG) readonly config: HookdexConfig,
    @inject(DATA_SOURCE) readonly dataSource: DataSource,
    @inject(SchemaManager) private readonly schema: SchemaManager,
    @inject(HookManager) readonly hooks: HookManager,
    @inject(JobManager) readonly jobs: JobManager,
    @inject(HookRegistry) private readonly registry: HookRegistry,
    @inject(ReindexService) private readonly reindexer: ReindexService,
    @inject(Shutdown) private readonly shutdown: Shutdown,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(TransactionManager) private readonly transactions: TransactionManager,
    @inject(HandlerRegistry) private readonly handlers: HandlerRegistry,
    @inject(RuntimeLink) private readonly runtimeLink: RuntimeLink,
    @inject(DATASOURCE_KINDS) private readonly datasourceKinds: Readonly<Record<string, DatasourceFactory>>,
    @inject(INDEX_KINDS) private readonly indexKinds: Readonly<Record<string, IndexKind>>,
    @inject(LEVEL_OBSERVER) private readonly onLevel: LevelObserver,
  ) {
    shutdown.onFatal((error) => void this.onFatal(error));
    const dialect = config.database.kind;
    this.store = new IndexStateStore(dialect);
    this.journal = new Journal(dataSource, {
      dialect,
      ...(config.database.kind === 'postgres' ? { schema: config.database.schema } : {}),
      immuneTables: config.database.immuneTables,
    });
  }

  private readonly store: IndexStateStore;
  private readonly journal: Journal;
  private runtime: IndexingRuntime | undefined;
  private indexing: Promise<void> | undefined;

  /** True when every index has \`last_level\`: hookdex indexes to the end, then stops by itself. */
  get oneShot(): boolean {
    return this.runtime?.oneShot ?? false;
  }

  /** The error that stopped hookdex, if one did. */
  get error(): Error | undefined {
    return this.fatal;
  }

  /** Initialises the database, fires `on_reindex` (new database) and `on_restart`, starts jobs. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`HookdexApp.start() called twice (state: ${this.state}).`);
    this.state = 'starting';
    try {
      this.verifyCallbacks();
      await this.initialize();
      if (this.startupFailure !== undefined) throw this.startupFailure;
    } catch (error) {
      if (HookdexError.is(error, 'REINDEXING_REQUIRED'))
        await this.recordReindex(error as ReindexingRequiredError);
      await this.close();
      throw error;
    }
    this.state = 'running';
    this.startIndexing();
    if (!this.config.advanced.postponeJobs && !this.oneShot) await this.startJobs();
  }

  /** Tells hookdex every index is realtime: starts jobs held by `postpone_jobs`. */
  markSynchronized(): void {
    if (this.state === 'running' && !this.jobs.started) void this.startJobs().catch(() => {});
  }

  /** Fires a user hook from outside any handler (as `hookdex hook fire` does). */
  fireHook<Name extends HookName>(name: Name, ...rest: FireHookArguments<Name>): Promise<void> {
    const [args = {}, options = {}] = rest as [Record<string, unknown>?, { wait?: boolean }?];
    return this.hooks.fire(name, args, { wait: options.wait ?? true });
  }

  /** Resolves when hookdex is stopped with `stop()`; rejects with the error if a fatal one stopped it. */
  wait(): Promise<void> {
    if (this.state === 'stopped')
      return this.fatal === undefined ? Promise.resolve() : Promise.reject(this.fatal);
    return new Promise((resolve, reject) => this.stopWaiters.push({ resolve, reject }));
  }

  /**
   * Stops: jobs stop firing (daemons are aborted) and running ones get up to `timeoutMs`; deferred
   * hooks already queued run; then the database is closed. Calling it again waits for the first.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return this.waitQuietly();
    this.state = 'stopping';
    await this.restarting?.catch(() => {});
    await this.close(options.timeoutMs);
  }

  private async initialize(): Promise<void> {
    for (let round = 0; ; round++) {
      try {
        await this.initializeOnce();
        return;
      } catch (error) {
        if (!HookdexError.is(error, 'RESTART_REQUIRED') || round >= MAX_RESTARTS) throw error;
        await this.prepareRestart(error as RestartRequiredError);
      }
    }
  }

  private async initializeOnce(): Promise<void> {
    await this.schema.prepare();
    await this.transactions.connection((queryRunner) => this.store.prepare(queryRunner));
    await this.journal.prepare();
    const hash = schemaHash(this.dataSource);
    const record = await this.schema.getRecord();
    if (record === undefined) {
      await this.schema.createProjectTables();
      this.logger.info('Created database schema');
      // The record is written only after on_reindex succeeds: a failed on_reindex runs again next start.
      await this.hooks.fireSystem('on_reindex');
      await this.schema.writeRecord(hash);
    } else if (record.reindex !== null) {
      await this.reindexer.reindex(record.reindex, 'requested earlier and not yet approved or wiped');
    } else if (record.hash !== hash) {
      await this.reindexer.reindex('schema_modified', 'the models changed since the database was created');
    }
    // The runtime exists before on_restart, so ctx.addIndex() there adds indexes that start with the others.
    this.runtime = this.createRuntime();
    this.runtime.validate();
    await this.hooks.fireSystem('on_restart');
    // Triggers follow the schema as on_reindex and on_restart left it.
    await this.journal.install();
    this.logger.info('Started hookdex', { database: this.config.database.kind, indexes: this.runtime.size });
  }

  private createRuntime(): IndexingRuntime {
    const runtime = new IndexingRuntime({
      indexes: this.config.indexes,
      datasourceConfigs: this.config.datasources,
      datasourceKinds: this.datasourceKinds,
      indexKinds: this.indexKinds,
      handlers: this.handlers,
      hooks: this.hooks,
      transactions: this.transactions,
      store: this.store,
      journal: this.journal,
      reindexer: this.reindexer,
      rollbackDepth: this.config.advanced.rollbackDepth,
      logger: this.logger,
      onSynchronized: () => this.markSynchronized(),
      onLevel: this.onLevel,
    });
    this.runtimeLink.connect(runtime);
    return runtime;
  }

  /** Runs the indexes; in one-shot mode hookdex stops once they reached their last level. */
  private startIndexing(): void {
    const runtime = this.runtime;
    if (runtime === undefined || runtime.size === 0) return;
    const oneShot = runtime.oneShot;
    this.indexing = runtime.run().then(
      () => {
        if (oneShot && this.state === 'running') {
          this.logger.info('Reached the last level of every index');
          // Not awaited: stop() waits for this very promise to settle.
          void this.stop();
        }
      },
      (error: unknown) => this.onFatal(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /**
   * Starts the jobs (with the database store this writes them to PostgreSQL first); a failure to
   * start them stops hookdex like any fatal error, and is rethrown to the caller.
   */
  private async startJobs(): Promise<void> {
    try {
      await this.jobs.start();
    } catch (error) {
      await this.failWith(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  private async stopIndexing(): Promise<void> {
    await this.runtime?.stop();
    await this.indexing;
    this.indexing = undefined;
    await this.runtime?.close();
  }

  private async prepareRestart(error: RestartRequiredError): Promise<void> {
    await this.stopIndexing();
    await this.jobs.stop();
    await this.hooks.drainDeferred();
    if (error.wipe) {
      const dropped = await this.schema.wipe({ immune: false });
      this.logger.warn('Wiped database', { reason: error.reason, dropped: dropped.length });
    }
    this.logger.info('Restarting');
  }

  private onFatal(error: Error): void {
    if (this.state === 'starting') {
      this.startupFailure ??= error;
      return;
    }
    if (this.state !== 'running') return;
    if (HookdexError.is(error, 'RESTART_REQUIRED')) {
      this.restarting = this.restart(error as RestartRequiredError);
      return;
    }
    void this.failWith(error);
  }

  private async restart(error: RestartRequiredError): Promise<void> {
    try {
      await this.prepareRestart(error);
      await this.initialize();
      if (this.state !== 'running') return;
      this.startIndexing();
      if (!this.config.advanced.postponeJobs && !this.oneShot) await this.jobs.start();
    } catch (failure) {
      await this.failWith(failure instanceof Error ? failure : new Error(String(failure)));
    } finally {
      this.restarting = undefined;
    }
  }

  private async failWith(error: Error): Promise<void> {
    if (this.fatal !== undefined || this.state === 'stopped') return;
    this.fatal = error;
    this.logger.error('Stopped on error', { error });
    this.state = 'stopping';
    if (HookdexError.is(error, 'REINDEXING_REQUIRED'))
      await this.recordReindex(error as ReindexingRequiredError);
    await this.close();
  }

  private async recordReindex(error: ReindexingRequiredError): Promise<void> {
    try {
      if (!this.dataSource.isInitialized) return;
      await this.schema.recordReindex(error.reason);
    } catch (failure) {
      this.logger.error('Failed to record reindexing reason', { reason: error.reason, error: failure });
    }
  }

  private async close(timeoutMs?: number): Promise<void> {
    await this.stopIndexing();
    await this.jobs.stop(timeoutMs);
    await this.hooks.drainDeferred();
    await this.shutdown.close(this.logger);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    this.state = 'stopped';
    this.logger.info('Stopped hookdex');
    for (const waiter of this.stopWaiters.splice(0)) {
      if (this.fatal === undefined) waiter.resolve();
      else waiter.reject(this.fatal);
    }
  }

  private waitQuietly(): Promise<void> {
    return this.wait().catch(() => {});
  }

  /** Every user hook in the config has a callback: fail at start, not at the first fire. */
  private verifyCallbacks(): void {
    const missing = Object.keys(this.config.hooks).filter((name) => !this.registry.has(name));
    if (missing.length > 0) {
      throw new ConfigurationError({
        file: this.config.files[0],
        path: `hooks.${missing[0]}`,
        expected: 'a callback for every hook in `hooks:`',
        found: `no callback for ${missing.map((name) => `\`${name}\``).join(', ')}`,
        hint: 'run `hookdex init` to generate the stubs, or register the callbacks',
      });
    }
  }
}
