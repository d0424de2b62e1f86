/** A FIFO async mutex; taking a free lock costs no extra promise (it is on every SQLite query). */
export class Mutex {
  private locked = false;
  private readonly waiters: Array<() => void> = [];

  /** Runs `task` once every task queued before it has finished. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.locked) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.locked = true;
    try {
      return await task();
    } finally {
      // Hand the lock straight to the next waiter, or free it.
      const next = this.waiters.shift();
      if (next === undefined) this.locked = false;
      else next();
    }
  }
}
