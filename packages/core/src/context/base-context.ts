import {
  InitializationRequiredError as SqlInitializationRequiredError,
  type SqlParameters,
} from '@hookdex/sql-runner';
import type { EntityManager } from 'typeorm';
import type { HookdexConfig } from '../config/config-types.js';
import type { ReindexingReason } from '../errors/errors.js';
import { InitializationRequiredError } from '../errors/errors.js';
import type { FireHookArguments, HookName } from '../hooks/hookdex-register.js';
import type { Logger } from '../logging/logger.js';
import type { ContextServices } from './context-services.js';

/** Options of `fireHook`. */
export interface FireHookOptions {
  /**
   * `true` (default): run now and wait. `false`: inside a transaction, run after it commits (never
   * if it rolls back); outside one, start in the background. Deferred hooks run one at a time, FIFO.
   */
  wait?: boolean;
}

/** What hook and handler contexts share. */
export abstract class BaseContext {
  constructor(
    protected readonly services: ContextServices,
    /** Named after the hook or handler: `hooks.calculate_stats`. */
    readonly logger: Logger,
  ) {}

  /** The whole configuration. */
  get config(): HookdexConfig {
    return this.services.config;
  }

  /**
   * The entity manager to write with: the open transaction's inside a handler or an atomic hook,
   * the DataSource's (autocommit) otherwise.
   */
  get db(): EntityManager {
    return this.services.transactions.manager();
  }

  /**
   * Fires a user hook; arguments are type checked against its declaration before it runs. After
   * `hookdex init`, the generated `types/hooks.d.ts` makes an unknown name or a wrong argument a
   * compile error too.
   */
  fireHook<Name extends HookName>(name: Name, ...rest: FireHookArguments<Name>): Promise<void> {
    const [args = {}, options = {}] = rest as [Record<string, unknown>?, FireHookOptions?];
    return this.services.hooks.fire(name, args, { wait: options.wait ?? true });
  }

  /**
   * Runs the SQL scripts of `sql/<name>/` (or one file, `dir/file.sql`) with `:name` parameters
   * bound, on this context's connection: inside the open transaction if there is one.
   */
  async executeSql(name: string, params?: SqlParameters): Promise<void> {
    await this.services.transactions.connection((queryRunner) =>
      mapSqlErrors(() => this.services.sql.executeSql(name, params, { queryRunner })),
    );
  }

  /** Runs one query file and returns its rows. */
  executeSqlQuery<Row extends object = Record<string, unknown>>(
    name: string,
    params?: SqlParameters,
  ): Promise<Row[]> {
    return this.services.transactions.connection((queryRunner) =>
      mapSqlErrors(() => this.services.sql.executeSqlQuery<Row>(name, params, { queryRunner })),
    );
  }

  /** Asks for a reindex; what happens is `advanced.reindex.<reason>` (default: stop with an error). */
  reindex(reason: ReindexingReason = 'manual', detail?: string): Promise<void> {
    return this.services.reindexer.reindex(reason, detail);
  }
}

async function mapSqlErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // A missing script directory is a setup problem (run `hookdex init`), not a failure of user code.
    if (error instanceof SqlInitializationRequiredError)
      throw new InitializationRequiredError(error.message, error);
    throw error;
  }
}
