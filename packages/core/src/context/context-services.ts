import type { SqlRunner } from '@hookdex/sql-runner';
import type { HookdexConfig } from '../config/config-types.js';
import type { ReindexingReason } from '../errors/errors.js';
import type { RuntimeLink } from '../runtime/runtime-link.js';
import type { TransactionManager } from '../transactions/transaction-manager.js';

/** Fires hooks on behalf of a context. */
export interface HookFirer {
  fire(
    name: string,
    args: Record<string, unknown>,
    options: { wait: boolean; signal?: AbortSignal },
  ): Promise<void>;
}

/** Carries out `ctx.reindex()`. */
export interface Reindexer {
  reindex(reason: ReindexingReason, detail?: string): Promise<void>;
}

/** What every context needs from the runtime. */
export interface ContextServices {
  readonly config: HookdexConfig;
  readonly hooks: HookFirer;
  readonly transactions: TransactionManager;
  readonly sql: SqlRunner;
  readonly reindexer: Reindexer;
  /** Aborted when hookdex shuts down. */
  readonly signal: AbortSignal;
  /** The indexing runtime (rollback, addIndex). */
  readonly runtime: RuntimeLink;
}
