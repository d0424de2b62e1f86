import type { HookConfig } from '../config/config-types.js';
import type { Logger } from '../logging/logger.js';
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
}
