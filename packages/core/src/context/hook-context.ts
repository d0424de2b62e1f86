import type { HookConfig } from '../config/config-types.js';
import type { Logger } from '../logging/logger.js';
import type { RuntimeControl } from '../runtime/runtime-link.js';
import { BaseContext } from './base-context.js';
import type { ContextServices } from './context-services.js';

/** The job fire a hook runs for. */
export interface JobFire {
  /** The job's name in `jobs:`. */
  readonly id: string;
  /** The fire time this run is for (a daemon: when it started). */
  readonly scheduledAt: Date;
  /**
   * `<job>@<ISO time>`: the same on every attempt and, with the database job store, unique across
   * every `hookdex run` sharing the database. Key idempotent effects on it.
   */
  readonly fireKey: string;
  /** 1, or more when the run is a retry. */
  readonly attempt: number;
}

/** The context every hook receives; each fire gets a fresh one. */
export class HookContext extends BaseContext {
  constructor(
    services: ContextServices,
    logger: Logger,
    /** The fired hook's configuration. */
    readonly hookConfig: HookConfig,
    /** Aborted when the hook should stop: shutdown, or its daemon job being stopped. */
    readonly signal: AbortSignal,
    /** The job fire that fired this hook; undefined when a handler, a hook or the CLI fired it. */
    readonly job: JobFire | undefined = undefined,
  ) {
    super(services, logger);
  }

  /**
   * Reverts every journaled change of `index` above `toLevel`, newest first, in one transaction,
   * and sets the index's level to `toLevel` (the default body of `on_index_rollback`). A rollback
   * deeper than `advanced.rollback_depth` is a reindex with reason `rollback`.
   */
  rollback(index: string, fromLevel: number, toLevel: number): Promise<void> {
    return this.services.runtime.get().rollback(index, fromLevel, toLevel);
  }

  /** Adds an index at runtime (as `on_restart` may); it starts right away. */
  addIndex(name: string, config: Parameters<RuntimeControl['addIndex']>[1]): Promise<void> {
    return this.services.runtime.get().addIndex(name, config);
  }
}
