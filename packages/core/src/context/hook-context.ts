import type { HookConfig } from '../config/config-types.js';
import type { Logger } from '../logging/logger.js';
import type { RuntimeControl } from '../runtime/runtime-link.js';
import { BaseContext } from './base-context.js';
import type { ContextServices } from './context-services.js';

/** The context every hook receives; each fire gets a fresh one. */
export class HookContext extends BaseContext {
  constructor(
    services: ContextServices,
    logger: Logger,
    /** The fired hook's configuration. */
    readonly hookConfig: HookConfig,
    /** Aborted when the hook should stop: shutdown, or its daemon job being stopped. */
    readonly signal: AbortSignal,
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
