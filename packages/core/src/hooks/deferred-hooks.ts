/** A deferred hook, ready to run in its own context. */
export interface DeferredHook {
  readonly name: string;
  run(): Promise<void>;
}

/**
 * Runs hooks fired with `wait: false`, one at a time in FIFO order, outside any caller's
 * transaction. A failure is handed to `onFailure` (reported like a job failure), never dropped:
 * DipDup's queue took hooks off and never awaited them for a year (#1273).
 */
export class DeferredHooks {
  private readonly queue: DeferredHook[] = [];
  private running = false;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly onFailure: (error: unknown, hook: string) => void) {}

  /** Hooks queued or running. */
  get pending(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  enqueue(...hooks: DeferredHook[]): void {
    this.queue.push(...hooks);
    if (!this.running) void this.work();
  }

  /** Resolves once every hook queued so far (and any they queue) has run. */
  drain(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async work(): Promise<void> {
    this.running = true;
    try {
      for (let hook = this.queue.shift(); hook !== undefined; hook = this.queue.shift()) {
        try {
          await hook.run();
        } catch (error) {
          this.onFailure(error, hook.name);
        }
      }
    } finally {
      this.running = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
