/** Payloads of the scheduler's events, by name. Times are `Date`s; durations are milliseconds. */
export interface SchedulerEvents {
  /** A job was added (`replaced` when `upsert` replaced one with the same id). */
  added: { jobId: string; replaced: boolean };
  /** A job was removed: by `remove`, or because its schedule has no more fires. */
  removed: { jobId: string; reason: 'removed' | 'finished' };
  /** A run started. */
  submitted: { jobId: string; scheduledAt: Date; startedAt: Date };
  /** A run finished without error. */
  executed: { jobId: string; scheduledAt: Date; durationMs: number };
  /** A run failed, or a daemon returned. `fatal` when the job's `onError` is `'stop'`. */
  error: { jobId: string; scheduledAt: Date; error: Error; fatal: boolean };
  /** A fire was later than its `misfireGraceTime` and did not run. */
  missed: { jobId: string; scheduledAt: Date; lateMs: number };
  /** A fire did not run because `maxInstances` runs of the job were already going. */
  skipped: { jobId: string; scheduledAt: Date; running: number; maxInstances: number };
  /** Several due fires were run as one (`scheduledAt`); the others lie in [first, last]. */
  coalesced: { jobId: string; scheduledAt: Date; firstScheduledAt: Date; lastScheduledAt: Date };
  /** The scheduler stopped: by `shutdown`, or after a fatal job error. */
  stopped: { reason: 'shutdown' | 'fatal'; error?: Error };
}

export type SchedulerEventName = keyof SchedulerEvents;
export type SchedulerListener<E extends SchedulerEventName> = (event: SchedulerEvents[E]) => void;

type ListenerMap<Events> = {
  [E in keyof Events]?: Array<(event: Events[E]) => void>;
};

/**
 * A tiny typed emitter; listener errors are handed to `onListenerError`, never thrown into the
 * scheduler. Generic so the cluster scheduler's events (a superset) use the same one.
 */
export class EventHub<Events = SchedulerEvents> {
  private readonly listeners: ListenerMap<Events> = {};

  constructor(private readonly onListenerError: (error: unknown, event: keyof Events) => void) {}

  on<E extends keyof Events>(event: E, listener: (event: Events[E]) => void): () => void {
    let list = this.listeners[event];
    if (list === undefined) {
      list = [];
      this.listeners[event] = list;
    }
    list.push(listener);
    return () => this.off(event, listener);
  }

  off<E extends keyof Events>(event: E, listener: (event: Events[E]) => void): void {
    const list = this.listeners[event];
    if (list === undefined) return;
    const index = list.indexOf(listener);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) delete this.listeners[event];
  }

  /** True when anything listens to `event`: lets callers skip building a payload. */
  has(event: keyof Events): boolean {
    return this.listeners[event] !== undefined;
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const list = this.listeners[event];
    if (list === undefined) return;
    for (const listener of list.length === 1 ? list : [...list]) {
      try {
        listener(payload);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }
}
