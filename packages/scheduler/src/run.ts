import type { JobContext } from './types.js';

/** One run of a job in progress; it is also the context the callback receives. */
export class Run<Job> implements JobContext {
  readonly jobId: string;
  readonly scheduledAt: Date;
  /** @internal */
  readonly job: Job;
  /** @internal */
  readonly startedAt: number;
  /** @internal Called once the run has finished, with its error when it failed. */
  onDone: ((error: Error | undefined) => void) | undefined;
  #controller: AbortController | undefined;
  #aborted = false;
  #abortReason: unknown;

  constructor(options: { job: Job; jobId: string; scheduledAt: number; startedAt: number }) {
    this.job = options.job;
    this.jobId = options.jobId;
    this.scheduledAt = new Date(options.scheduledAt);
    this.startedAt = options.startedAt;
  }

  // NOTE: most runs never look at their signal; an AbortController is only made when one does.
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  /** @internal True once `abort` was called. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** @internal */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }
}
