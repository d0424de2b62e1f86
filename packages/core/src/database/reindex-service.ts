import { inject, injectable } from 'tsyringe';
import type { HookdexConfig } from '../config/config-types.js';
import type { Reindexer } from '../context/context-services.js';
import { CONFIG, LOGGER } from '../di/tokens.js';
import { type ReindexingReason, ReindexingRequiredError, RestartRequiredError } from '../errors/errors.js';
import type { Logger } from '../logging/logger.js';

const REASONS: readonly ReindexingReason[] = [
  'manual',
  'migration',
  'rollback',
  'config_modified',
  'schema_modified',
];

/**
 * Carries out `ctx.reindex(reason)` by the configured action. It only decides and unwinds: the
 * caller may be inside a transaction (on SQLite, the only connection), so the database work (record
 * the reason, or wipe) is done by the runtime once the error has reached it and nothing is open.
 */
@injectable()
export class ReindexService implements Reindexer {
  constructor(
    @inject(CONFIG) private readonly config: HookdexConfig,
    @inject(LOGGER) private readonly logger: Logger,
  ) {}

  async reindex(reason: ReindexingReason, detail?: string): Promise<void> {
    if (!REASONS.includes(reason)) {
      throw new TypeError(
        `Unknown reindexing reason "${String(reason)}": expected one of ${REASONS.join(', ')}.`,
      );
    }
    const action = this.config.advanced.reindex[reason];
    switch (action) {
      case 'ignore':
        this.logger.warn('Ignored reindexing request', { reason, detail });
        return;
      case 'wipe':
        this.logger.warn('Wiping database for reindexing', { reason, detail });
        throw new RestartRequiredError(`reindexing (${reason}) wipes the database`, { wipe: true, reason });
      case 'exception':
        throw new ReindexingRequiredError(reason, detail);
      default: {
        const exhaustive: never = action;
        throw new Error(`Unhandled reindex action ${String(exhaustive)}`);
      }
    }
  }
}
