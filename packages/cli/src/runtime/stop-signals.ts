/** The signals on which `hookdex run` stops gracefully (exit code 0). */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/**
 * Watches SIGINT and SIGTERM from the moment it is created, so a signal that arrives during
 * start-up is not lost: the first one calls `onStop` (or is remembered until a handler is set);
 * a second one calls `onForce`, for the user who does not want to wait.
 */
export class StopSignals {
  private received: StopSignal | undefined;
  private stopHandler: ((signal: StopSignal) => void) | undefined;
  private readonly listener = (signal: StopSignal) => this.onSignal(signal);

  constructor(private readonly onForce: (signal: StopSignal) => void) {
    for (const signal of STOP_SIGNALS) process.on(signal, this.listener);
  }

  /** The first signal received, if any. */
  get signal(): StopSignal | undefined {
    return this.received;
  }

  /** Calls `handler` on the first signal, at once if it has already arrived. */
  onStop(handler: (signal: StopSignal) => void): void {
    this.stopHandler = handler;
    if (this.received !== undefined) handler(this.received);
  }

  dispose(): void {
    for (const signal of STOP_SIGNALS) process.off(signal, this.listener);
  }

  private onSignal(signal: StopSignal): void {
    if (this.received !== undefined) {
      this.onForce(signal);
      return;
    }
    this.received = signal;
    this.stopHandler?.(signal);
  }
}
