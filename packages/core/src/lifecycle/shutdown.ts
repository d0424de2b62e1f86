import { injectable } from 'tsyringe';
import type { Logger } from '../logging/logger.js';

/**
 * The one shutdown registry: an AbortController every long-running part listens to, the callbacks
 * that close resources (run newest first), and the first fatal error that ends the run.
 */
@injectable()
export class Shutdown {
  private readonly controller = new AbortController();
  private readonly closers: Array<{ name: string; close: () => Promise<void> | void }> = [];
  private readonly fatalListeners: Array<(error: Error) => void> = [];

  /** Aborted once shutdown begins. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Registers a resource to close on shutdown; resources close newest first. */
  register(name: string, close: () => Promise<void> | void): void {
    this.closers.push({ name, close });
  }

  /**
   * Reports an error that ends the run (a failing job with `on_error: stop`, a failing deferred
   * hook) or asks for a restart (a wipe); the runtime decides what to do with it.
   */
  fail(error: Error): void {
    for (const listener of this.fatalListeners) listener(error);
  }

  onFatal(listener: (error: Error) => void): void {
    this.fatalListeners.push(listener);
  }

  /** Aborts the signal and closes every registered resource, newest first, logging failures. */
  async close(logger: Logger): Promise<void> {
    if (!this.controller.signal.aborted) this.controller.abort(new Error('hookdex is shutting down'));
    for (const { name, close } of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        logger.error('Failed to close resource', { resource: name, error });
      }
    }
  }
}
