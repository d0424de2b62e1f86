import type { IndexHandlerConfig } from '../config/config-types.js';
import type { Logger } from '../logging/logger.js';
import { BaseContext } from './base-context.js';
import type { ContextServices } from './context-services.js';

/** The context an index handler receives, inside the transaction of the level it handles. */
export class HandlerContext extends BaseContext {
  constructor(
    services: ContextServices,
    logger: Logger,
    /** The handler's configuration. */
    readonly handlerConfig: IndexHandlerConfig,
    /** The index and level being handled. */
    readonly index: string,
    readonly level: number,
  ) {
    super(services, logger);
  }
}
