import type { JobContext } from './types.js';

interface AbortState {
  aborted: boolean;
  reason: unknown;
  controller: AbortController | undefined;
}

/** One run of a job in progress; it is also the context the callback receives. */
export class Run<Job extends { readonly id: string }> implements JobContext {
  // NOTE: a run is made for every fire, so it is kept small and cheap to construct: fields are
  // `declare`d and only assigned in the constructor (ES2022 class fields would define each one as
  // undefined first), there are no private `#` fields (each class with them runs an initializer per
  // instance), and what aborting needs is made only when a run is aborted or its signal is read.
  declare readonly jobId: string;
  declare readonly scheduledAt: Date;
  /** @internal */
  declare readonly job: Job;
  /** @internal Called once the run has finished, with its error when it failed. */
  declare onDone: ((error: Error | undefined) => void) | undefined;
  /** @internal */
  declare private abortState: AbortState | undefined;

  constructor(job: Job, scheduledAt: number) {
    this.jobId = job.id;
    this.scheduledAt = new Date(scheduledAt);
    this.job = job;
    this.onDone = undefined;
    this.abortState = undefined;
  }

  // NOTE: most runs never look at their signal; an AbortController is only made when one does.
  get signal(): AbortSignal {
    const state = this.abortState ?? this.makeAbortState();
    if (state.controller === undefined) {
      state.controller = new AbortController();
      if (state.aborted) state.controller.abort(state.reason);
    }
    return state.controller.signal;
  }

  /** @internal True once `abort` was called. */
  get aborted(): boolean {
    return this.abortState?.aborted === true;
  }

  /** @internal */
  abort(reason: unknown): void {
    const state = this.abortState ?? this.makeAbortState();
    if (state.aborted) return;
    state.aborted = true;
    state.reason = reason;
    state.controller?.abort(reason);
  }

  private makeAbortState(): AbortState {
    this.abortState = { aborted: false, reason: undefined, controller: undefined };
    return this.abortState;
  }
}

/** True when a callback returned a promise (or any thenable): its run lasts until it settles. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
