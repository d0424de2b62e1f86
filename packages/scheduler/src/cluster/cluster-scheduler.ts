import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { type Clock, systemClock, systemTimers, type TimerHandle, type TimerSource } from '../clock.js';
import { SchedulerError, toError } from '../errors.js';
import { EventHub } from '../events.js';
import { toEpochMs, triggerKind } from '../options.js';
import { isThenable } from '../run.js';
import type { DateInput, ShutdownOptions, ShutdownResult, Trigger } from '../types.js';
import {
  anchored,
  type ClusterDefaults,
  describeOptions,
  firstFire,
  planFires,
  resolveClusterDefaults,
  resolveClusterJob,
  scheduleOf,
} from './plan.js';
import type { JobStore, RunResult, RunRow, RunState, ScheduleRow, WakeHint } from './store.js';
import type {
  ClusterEventName,
  ClusterJobContext,
  ClusterJobDefinition,
  ClusterJobInfo,
  ClusterListener,
  ClusterSchedulerEvents,
  ClusterSchedulerOptions,
} from './types.js';

const DAEMON_BACKOFF_MIN_MS = 1000;
const DAEMON_BACKOFF_MAX_MS = 60_000;
const PRUNE_EVERY_MS = 3_600_000;
const RUN_RETENTION_MS = 86_400_000;
const STALLED_RETRY_MS = 25;
const FINISH_BATCH_MS = 100;
const OFFSET_SAMPLES = 16;
const CLOCK_STEP_MS = 50;

interface LocalJob {
  definition: ClusterJobDefinition;
  hash: string;
}

/** A run this process holds a lease on. */
interface HeldRun {
  row: RunRow;
  jobId: string;
  controller: AbortController;
  daemon: boolean;
  /** `performance.now()` by which the lease is gone unless renewed. */
  leaseExpires: number;
  lost: boolean;
  startedAt: number;
  abortReason: 'shutdown' | 'paused' | 'lost' | 'removed' | undefined;
  done: Promise<void>;
}

/** A fire this process claimed ahead of its time (`lookaheadMs`), started when the time comes. */
interface AheadRun {
  row: RunRow;
  /** `performance.now()` by which its lease (counted from its due time) is gone. */
  leaseExpires: number;
}

type State = 'idle' | 'running' | 'stopping' | 'stopped';

/**
 * A scheduler whose schedules and runs live in a `JobStore`, so several processes sharing one
 * PostgreSQL database share the jobs: each fire is materialised once (one transaction, a unique
 * fire key), claimed by one process under a lease with a fencing attempt number, and settled by the
 * job's crash policy when its process dies. With `MemoryJobStore` it is a single-process scheduler
 * with the same semantics.
 */
export class ClusterScheduler {
  readonly nodeId: string;
  private readonly store: JobStore;
  private readonly clock: Clock;
  private readonly timers: TimerSource;
  private readonly random: () => number;
  private readonly unref: boolean;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly lookaheadMs: number;
  private readonly batchSize: number;
  private readonly defaults: ClusterDefaults;
  private readonly jobs = new Map<string, LocalJob>();
  private readonly held = new Map<string, HeldRun>();
  private readonly ahead = new Map<string, AheadRun>();
  private aheadTimer: TimerHandle | undefined;
  private aheadTimerAt = Number.POSITIVE_INFINITY;
  private verifyingAhead = false;
  private readonly events: EventHub<ClusterSchedulerEvents>;
  private readonly results: Array<{ result: RunResult; jobId: string; scheduledAt: number }> = [];
  private readonly daemonRestarts = new Map<string, number>();
  private state: State = 'idle';
  private failure: SchedulerError | undefined;
  private setupDone: Promise<void> | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private wakeTimer: TimerHandle | undefined;
  private renewTimer: TimerHandle | undefined;
  private cycling: Promise<void> | undefined;
  private again = false;
  private fullCycle = true;
  private hint: WakeHint | undefined;
  /** Store clock minus local clock, from the last round trip. */
  private offsetMs = 0;
  /** The store clock minus `performance.now()`, from the same sample: immune to local clock steps. */
  private monoOffsetMs = 0;
  /** Half the round trip of the sample the offsets come from: how far off they can be. */
  private offsetErrorMs = 0;
  /** Recent (round trip, offset) samples; the offset of the fastest round trip is the best estimate. */
  private readonly offsetSamples: Array<{ roundTripMs: number; offsetMs: number; monoOffsetMs: number }> = [];
  private flushing: Promise<void> | undefined;
  private renewing = false;
  private releasing: Promise<void> = Promise.resolve();
  /** Ends the wait before a batch of results is written (at shutdown). */
  private flushNow: (() => void) | undefined;
  private stalled = false;
  /** The next cycle asks for a fresh wake hint before its phases (a back-off after a stall ended). */
  private refreshFirst = false;
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(options: ClusterSchedulerOptions) {
    if (typeof options !== 'object' || options === null || typeof options.store !== 'object') {
      throw new SchedulerError('INVALID_OPTION', 'Expected cluster scheduler options with a store.');
    }
    this.store = options.store;
    this.nodeId = options.nodeId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.random = options.random ?? Math.random;
    this.unref = options.unref ?? false;
    this.leaseMs = positive(options.leaseMs ?? 30_000, 'leaseMs', 100);
    this.pollIntervalMs = positive(options.pollIntervalMs ?? 5000, 'pollIntervalMs', 1);
    this.lookaheadMs = positive(options.lookaheadMs ?? 500, 'lookaheadMs', 0);
    this.batchSize = positive(options.batchSize ?? 500, 'batchSize', 1);
    this.defaults = resolveClusterDefaults(options.jobDefaults, options.timezone);
    this.events = new EventHub<ClusterSchedulerEvents>((error, event) => {
      console.error(`[@hookdex/scheduler] A listener of "${String(event)}" threw:`, error);
    });
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** The error that stopped this scheduler, when a job with `onError: 'stop'` failed. */
  get error(): SchedulerError | undefined {
    return this.failure;
  }

  on<E extends ClusterEventName>(event: E, listener: ClusterListener<E>): () => void {
    return this.events.on(event, listener);
  }

  off<E extends ClusterEventName>(event: E, listener: ClusterListener<E>): void {
    this.events.off(event, listener);
  }

  /**
   * Adds a job and registers its callback in this process. When the store already has the same
   * job (same id and definition: another replica added it), this only registers the callback;
   * when it has a different one under the id, it throws `DUPLICATE_JOB` (use `upsert`).
   */
  async add(job: ClusterJobDefinition): Promise<void> {
    await this.put(job, 'add');
  }

  /** Adds a job, or replaces the stored one when its definition changed (its schedule restarts from now). */
  async upsert(job: ClusterJobDefinition): Promise<void> {
    await this.put(job, 'upsert');
  }

  /** Removes a job from the store (for every process) with its runs' history. */
  async remove(id: string): Promise<void> {
    this.assertNotStopped();
    await this.ready();
    this.jobs.delete(id);
    if (!(await this.store.deleteSchedule(id))) throw notFound(id);
    this.dropAhead(id);
    for (const run of this.held.values()) if (run.jobId === id && run.daemon) this.abortRun(run, 'removed');
    this.events.emit('removed', { jobId: id, reason: 'removed' });
  }

  /** Stops a job's fires on every process until `resume`; a running daemon is aborted by its owner. */
  async pause(id: string): Promise<void> {
    await this.ready();
    if ((await this.store.setPaused(id, true)) === undefined) throw notFound(id);
    this.dropAhead(id);
    for (const run of this.held.values()) if (run.jobId === id && run.daemon) this.abortRun(run, 'paused');
  }

  /** Resumes a job: from now by default; with `from`, fires from then on count (coalesce and grace apply). */
  async resume(id: string, options: { from?: DateInput } = {}): Promise<void> {
    await this.ready();
    const fromMs = options.from === undefined ? undefined : toEpochMs(options.from, 'resume from', id);
    // NOTE: as in-process, a date job whose date passed during the pause is then finished.
    const row = await this.store.setPaused(
      id,
      false,
      (current, now) => scheduleOf(current, id)?.next(fromMs === undefined ? now : fromMs - 1) ?? null,
    );
    if (row === undefined) throw notFound(id);
    this.kick();
  }

  /** Replaces a job's trigger; the schedule restarts from now. Daemons cannot be rescheduled. */
  async reschedule(id: string, trigger: Trigger): Promise<ClusterJobInfo> {
    await this.ready();
    const local = this.jobs.get(id);
    const kind = triggerKind(trigger, id);
    const row = await this.store.redefine(id, (current, now) => {
      if (kind === 'daemon' || current.kind === 'daemon') {
        throw new SchedulerError(
          'INVALID_TRIGGER',
          `Job "${id}": a daemon cannot be rescheduled to or from another trigger; remove it and add a new job.`,
          { jobId: id },
        );
      }
      const definition: ClusterJobDefinition = {
        ...(local?.definition ?? { id, run: () => undefined }),
        ...optionsOf(current),
        trigger,
      };
      const { stored, hash } = resolveClusterJob(definition, this.defaults);
      const withAnchor = anchored(stored, now);
      if (local !== undefined) {
        local.definition = definition;
        local.hash = hash;
      }
      return { ...withAnchor, hash, nextFireAt: firstFire(withAnchor, now, id) };
    });
    if (row === undefined) throw notFound(id);
    this.dropAhead(id);
    this.kick();
    return this.describe(row, 0);
  }

  /**
   * Queues one run of a job now, outside its schedule, with a fresh fire key; whichever process
   * claims it first runs it (respecting `maxInstances`). Resolves to its fire key.
   */
  async runNow(id: string): Promise<{ fireKey: string }> {
    this.assertNotStopped();
    await this.ready();
    const run = await this.store.insertManualRun(id);
    if (run === undefined) throw notFound(id);
    this.kick();
    return { fireKey: fireKeyOf(id, run.scheduledAt, true) };
  }

  async get(id: string): Promise<ClusterJobInfo | undefined> {
    await this.ready();
    const [entry] = await this.store.getSchedules([id]);
    return entry === undefined ? undefined : this.describe(entry.row, entry.running);
  }

  /** Every job in the store, soonest next fire first. */
  async list(): Promise<ClusterJobInfo[]> {
    await this.ready();
    const entries = await this.store.getSchedules();
    return entries
      .map(({ row, running }) => this.describe(row, running))
      .sort(
        (a, b) =>
          (a.nextRunAt?.getTime() ?? Number.POSITIVE_INFINITY) -
            (b.nextRunAt?.getTime() ?? Number.POSITIVE_INFINITY) || a.id.localeCompare(b.id),
      );
  }

  /** Run rows of the store (every process's), oldest fire first. */
  async runs(filter?: { jobId?: string; states?: readonly RunState[] }): Promise<RunRow[]> {
    await this.ready();
    return this.store.listRuns({ scheduleId: filter?.jobId, states: filter?.states });
  }

  /** Starts taking part: listens for changes, fires due jobs, claims runs, reaps expired leases. */
  async start(): Promise<void> {
    if (this.state === 'running') return;
    this.assertNotStopped();
    await this.ready();
    this.state = 'running';
    try {
      // NOTE: a notification only means "look again": the cycle refreshes its wake hint and runs the
      // phases that hint says are due, instead of every phase on every process at every notice.
      this.unsubscribe = await this.store.subscribe(() => {
        // NOTE: the change may have dropped fires this process claimed ahead (a pause elsewhere).
        if (this.ahead.size > 0) void this.verifyAhead();
        this.runCycle();
      });
    } catch (error) {
      // NOTE: without notifications (PgBouncer in transaction mode, a listen failure) polling still works.
      this.events.emit('storeError', { error: toError(error), operation: 'subscribe' });
    }
    this.armRenew();
    this.kick();
  }

  /**
   * Stops taking part. Daemons are aborted and given back at once (another process takes them);
   * with `wait` (default) it waits for this process's runs, up to `timeoutMs`, then aborts them.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<ShutdownResult> {
    const wait = options.wait ?? true;
    const timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
    const wasStopped = this.state === 'stopped';
    this.state = 'stopping';
    this.clearWake();
    // A cycle in flight may still claim runs: they are given back, not started (see startRun).
    await this.cycling;
    this.releaseAhead();
    for (const run of this.held.values()) if (run.daemon) this.abortRun(run, 'shutdown');
    let timedOut = false;
    if (wait && this.held.size > 0) {
      const all = Promise.all([...this.held.values()].map((run) => run.done));
      timedOut = !(await withTimeout(all, timeoutMs, this.timers));
      if (timedOut) {
        for (const run of this.held.values()) this.abortRun(run, 'shutdown');
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    // NOTE: only now: the runs waited for above were still renewed, or other processes would take them over.
    if (this.renewTimer !== undefined) this.timers.clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
    await this.flushResults();
    await this.releasing;
    try {
      await this.unsubscribe?.();
    } catch (error) {
      this.events.emit('storeError', { error: toError(error), operation: 'unsubscribe' });
    }
    this.unsubscribe = undefined;
    const pending = this.held.size;
    this.state = 'stopped';
    if (!wasStopped)
      this.events.emit('stopped', { reason: this.failure ? 'fatal' : 'shutdown', error: this.failure });
    return { timedOut, pending };
  }

  private async put(job: ClusterJobDefinition, mode: 'add' | 'upsert'): Promise<void> {
    this.assertNotStopped();
    const { stored, hash } = resolveClusterJob(job, this.defaults);
    await this.ready();
    const { outcome, row } = await this.store.putSchedule({ id: job.id, hash, ...stored }, mode, (now) => {
      const definition = anchored(stored, now);
      return { definition, nextFireAt: firstFire(definition, now, job.id) };
    });
    if (outcome === 'exists') {
      throw new SchedulerError(
        'DUPLICATE_JOB',
        `A different job with id "${job.id}" is already in the store: use upsert() to replace it, or remove() it first.`,
        { jobId: job.id },
      );
    }
    this.jobs.set(job.id, { definition: job, hash: row.hash });
    if (outcome !== 'kept' && this.events.has('added')) {
      this.events.emit('added', { jobId: job.id, replaced: outcome === 'replaced' });
    }
    if (outcome === 'replaced') {
      this.dropAhead(job.id);
      for (const run of this.held.values())
        if (run.jobId === job.id && run.daemon) this.abortRun(run, 'removed');
    }
    this.kick();
  }

  private ready(): Promise<void> {
    this.setupDone ??= this.store.setup().catch((error: unknown) => {
      this.setupDone = undefined;
      throw error;
    });
    return this.setupDone;
  }

  /** Runs a cycle soon, with every phase (after a notification, a change, a poll). */
  private kick(): void {
    this.fullCycle = true;
    this.runCycle();
  }

  private runCycle(): void {
    if (this.state !== 'running') return;
    if (this.cycling !== undefined) {
      this.again = true;
      return;
    }
    this.clearWake();
    this.cycling = this.cycle().finally(() => {
      this.cycling = undefined;
    });
  }

  private async cycle(): Promise<void> {
    try {
      do {
        this.again = false;
        // Results kept by a `finish` that failed are sent again at each wake.
        if (this.results.length > 0) this.scheduleFlush();
        const full = this.fullCycle;
        this.fullCycle = false;
        const ids = [...this.jobs.keys()];
        // NOTE: after backing off from work another process held (a fire it was writing), the cached
        // hint is stale: one look at the store is cheaper than retrying a phase that is likely done.
        if (this.refreshFirst && !full && ids.length > 0) await this.refreshHint(ids);
        this.refreshFirst = false;
        const estimate = this.clock.now() + this.offsetMs;
        const hint = this.hint;
        let progress = 0;
        const tried = { reap: false, fire: false, claim: false };
        if (ids.length > 0 && this.state === 'running') {
          if (full || due(hint?.nextLeaseExpiry, estimate)) {
            tried.reap = true;
            progress += await this.reap();
          }
          if (full || due(ahead(hint?.nextFireAt, this.lookaheadMs), estimate)) {
            tried.fire = true;
            progress += await this.fire(ids);
          }
          if (full || due(hint?.nextDueAt, estimate)) {
            tried.claim = true;
            progress += await this.claim(ids);
          }
        }
        // NOTE: something due that this process tried and could not take (rows locked by another
        // process's transaction, a retry waiting for a free instance) must not make it spin on the
        // store; work it has not tried yet (a notification brought it) is taken at once, below.
        this.stalled = (tried.reap || tried.fire || tried.claim) && progress === 0;
        if (this.state !== 'running') return;
        if (estimate - this.lastPrune > PRUNE_EVERY_MS) {
          this.lastPrune = estimate;
          await this.store.pruneRuns(estimate - RUN_RETENTION_MS);
        }
        const { now: storeNow, nextLeaseExpiry, nextFireAt, nextDueAt } = await this.refreshHint(ids);
        if (
          ids.length > 0 &&
          ((!tried.reap && due(nextLeaseExpiry, storeNow)) ||
            (!tried.fire && due(ahead(nextFireAt, this.lookaheadMs), storeNow)) ||
            (!tried.claim && due(nextDueAt, storeNow)))
        ) {
          this.again = true;
        }
      } while (this.again && this.state === 'running');
      this.armWake();
    } catch (error) {
      this.events.emit('storeError', { error: toError(error), operation: 'cycle' });
      this.fullCycle = true;
      this.armWake(Math.min(this.pollIntervalMs, 1000));
    }
  }

  private async refreshHint(ids: string[]): Promise<WakeHint> {
    const before = this.reading();
    const hint = await this.store.wakeHint(ids);
    this.hint = hint;
    this.measureOffset(before, this.reading(), hint.now);
    // A better estimate of the store clock re-aims the start of the fires claimed ahead.
    if (this.ahead.size > 0) this.armAhead();
    return hint;
  }

  private async reap(): Promise<number> {
    const reaped = await this.store.reap();
    for (const { run, owner, outcome } of reaped) {
      const base = {
        jobId: run.scheduleId,
        scheduledAt: new Date(run.scheduledAt),
        owner,
        attempt: run.attempt,
      };
      if (outcome === 'retried') this.events.emit('retried', { ...base, dueAt: new Date(run.dueAt) });
      else if (outcome === 'abandoned') this.events.emit('abandoned', base);
      else {
        const error = new SchedulerError(
          'JOB_FAILED',
          `Job "${run.scheduleId}" failed: its lease expired on attempt ${run.attempt} of ${run.attempt} (onCrash: retry); it is not retried again.`,
          { jobId: run.scheduleId },
        );
        this.events.emit('error', {
          jobId: run.scheduleId,
          scheduledAt: base.scheduledAt,
          error,
          fatal: false,
        });
      }
    }
    return reaped.length;
  }

  private async fire(ids: string[]): Promise<number> {
    let progress = 0;
    for (;;) {
      const before = this.reading();
      const result = await this.store.fire(
        this.nodeId,
        ids,
        this.batchSize,
        this.leaseMs,
        (due, now) => planFires(due, now, this.random, this.lookaheadMs),
        this.lookaheadMs,
      );
      // NOTE: the transaction's time is a clock sample too: fires may be claimed ahead before the
      // first wake hint has measured the store clock.
      if (result.now !== null) this.measureOffset(before, this.reading(), result.now);
      for (const run of result.inserted) this.report(run, result.now);
      // NOTE: the store leases from the later of its transaction's time and the fire's due time; the
      // transaction's time was read after `before`, so counted from `before` the local expiry is
      // never after the store's.
      const leaseFrom = before.mono - (result.now ?? 0);
      for (const run of result.inserted) {
        if (run.state !== 'running') continue;
        const leaseExpires = leaseFrom + Math.max(result.now ?? 0, run.dueAt) + this.leaseMs;
        if (result.now !== null && run.dueAt > result.now) this.holdAhead(run, leaseExpires);
        else this.startRun(run, leaseExpires);
      }
      progress += result.due;
      if (result.due < this.batchSize || this.state !== 'running') return progress;
    }
  }

  private async claim(ids: string[]): Promise<number> {
    let progress = 0;
    for (;;) {
      // NOTE: the store's lease starts after this instant, so the local expiry is never after it.
      const leaseExpires = performance.now() + this.leaseMs;
      const result = await this.store.claim(this.nodeId, ids, this.batchSize, this.leaseMs);
      for (const run of result.closed) this.report(run, result.now);
      for (const run of result.claimed) {
        this.report(run, result.now);
        this.startRun(run, leaseExpires);
      }
      const decided = result.claimed.length + result.closed.length;
      progress += decided;
      // NOTE: a full batch of runs that all wait (retries or daemons at maxInstances) must not loop.
      if (result.seen < this.batchSize || decided === 0 || this.state !== 'running') return progress;
    }
  }

  /** Events for a run this process materialised or decided. */
  private report(run: RunRow, now: number | null): void {
    const jobId = run.scheduleId;
    const scheduledAt = new Date(run.scheduledAt);
    if (run.rangeFrom !== null && run.rangeTo !== null && run.state !== 'missed') {
      this.events.emit('coalesced', {
        jobId,
        scheduledAt,
        firstScheduledAt: new Date(run.rangeFrom),
        lastScheduledAt: new Date(run.rangeTo),
      });
    }
    if (run.state === 'missed')
      this.events.emit('missed', { jobId, scheduledAt, lateMs: (now ?? run.dueAt) - run.dueAt });
    if (run.state === 'skipped') {
      const maxInstances = this.jobs.get(jobId)?.definition.maxInstances ?? this.defaults.base.maxInstances;
      this.events.emit('skipped', { jobId, scheduledAt, running: maxInstances, maxInstances });
    }
  }

  private startRun(row: RunRow, leaseExpires: number): void {
    const local = this.jobs.get(row.scheduleId);
    if (local === undefined || this.state !== 'running') {
      // Claimed while shutting down (or for a job removed here meanwhile): give it back at once.
      this.giveBack([row]);
      return;
    }
    const daemon = 'daemon' in local.definition.trigger;
    const controller = new AbortController();
    const startedAt = this.clock.now();
    const held: HeldRun = {
      row,
      jobId: row.scheduleId,
      controller,
      daemon,
      leaseExpires,
      lost: false,
      startedAt,
      abortReason: undefined,
      done: Promise.resolve(),
    };
    this.held.set(row.id, held);
    const context: ClusterJobContext = {
      jobId: row.scheduleId,
      scheduledAt: new Date(daemon ? startedAt : row.scheduledAt),
      signal: controller.signal,
      fireKey: fireKeyOf(row.scheduleId, row.scheduledAt, row.manual),
      attempt: row.attempt,
    };
    if (this.events.has('submitted')) {
      this.events.emit('submitted', {
        jobId: row.scheduleId,
        scheduledAt: context.scheduledAt,
        startedAt: new Date(startedAt),
      });
    }
    let result: unknown;
    try {
      result = local.definition.run(context);
    } catch (error) {
      held.done = this.settle(held, toError(error));
      return;
    }
    if (isThenable(result)) {
      held.done = Promise.resolve(result).then(
        () => this.settle(held, undefined),
        (error: unknown) => this.settle(held, toError(error)),
      );
    } else held.done = this.settle(held, undefined);
  }

  private async settle(held: HeldRun, error: Error | undefined): Promise<void> {
    this.held.delete(held.row.id);
    const { row, jobId } = held;
    const scheduledAt = new Date(row.scheduledAt);
    if (held.lost) return;
    const local = this.jobs.get(jobId);
    const onError = local?.definition.onError ?? this.defaults.base.onError;
    if (held.daemon) {
      const stopping = held.abortReason !== undefined;
      let backoff = 0;
      if (!stopping) {
        // A daemon that ran longer than the longest back-off starts its back-off over.
        const ranLong = this.clock.now() - held.startedAt > DAEMON_BACKOFF_MAX_MS;
        const restarts = (ranLong ? 0 : (this.daemonRestarts.get(jobId) ?? 0)) + 1;
        this.daemonRestarts.set(jobId, restarts);
        backoff = Math.min(DAEMON_BACKOFF_MAX_MS, DAEMON_BACKOFF_MIN_MS * 2 ** (restarts - 1));
        const failure = new SchedulerError(
          'DAEMON_EXITED',
          error === undefined
            ? `Daemon job "${jobId}" returned; daemon jobs are intended to run forever.`
            : `Daemon job "${jobId}" failed: ${error.message}`,
          { jobId, cause: error },
        );
        this.reportError(jobId, scheduledAt, failure, onError === 'stop');
      }
      try {
        await this.store.release(this.nodeId, [{ id: row.id, attempt: row.attempt, delayMs: backoff }]);
      } catch (releaseError) {
        this.events.emit('storeError', { error: toError(releaseError), operation: 'release' });
      }
      return;
    }
    this.results.push({
      result: {
        id: row.id,
        attempt: row.attempt,
        state: error === undefined ? 'succeeded' : 'failed',
        error: error === undefined ? null : error.message,
      },
      jobId,
      scheduledAt: row.scheduledAt,
    });
    this.scheduleFlush();
    if (error === undefined) {
      if (this.events.has('executed')) {
        this.events.emit('executed', { jobId, scheduledAt, durationMs: this.clock.now() - held.startedAt });
      }
    } else {
      const failure = new SchedulerError('JOB_FAILED', `Job "${jobId}" failed: ${error.message}`, {
        jobId,
        cause: error,
      });
      this.reportError(jobId, scheduledAt, failure, onError === 'stop');
    }
  }

  private reportError(jobId: string, scheduledAt: Date, error: SchedulerError, fatal: boolean): void {
    this.events.emit('error', { jobId, scheduledAt, error, fatal });
    if (fatal && this.state === 'running') {
      this.failure = error;
      void this.shutdown({ wait: false }).catch((shutdownError: unknown) => {
        this.events.emit('storeError', { error: toError(shutdownError), operation: 'shutdown' });
      });
    }
  }

  /** Records finished runs in one statement per batch; a result refused by the store means the lease was lost. */
  private scheduleFlush(): void {
    if (this.flushing !== undefined) return;
    // NOTE: results wait a moment so that a burst of finishes is one statement, written after the
    // burst of claims at a fire time rather than in the middle of it.
    this.flushing = new Promise<void>((resolve) => {
      if (this.state !== 'running') {
        setImmediate(resolve);
        return;
      }
      const handle = this.timers.setTimeout(() => {
        this.flushNow = undefined;
        resolve();
      }, FINISH_BATCH_MS);
      if (this.unref) handle.unref?.();
      this.flushNow = () => {
        this.timers.clearTimeout(handle);
        this.flushNow = undefined;
        resolve();
      };
    }).then(async () => {
      try {
        while (this.results.length > 0) {
          const batch = this.results.splice(0, this.results.length);
          let accepted: Set<string>;
          try {
            accepted = await this.store.finish(
              this.nodeId,
              batch.map((entry) => entry.result),
            );
          } catch (error) {
            this.events.emit('storeError', { error: toError(error), operation: 'finish' });
            // NOTE: dropping them would leave the runs to be reaped (abandoned, or run again) though
            // they ended; kept, they are recorded once the store is back, or reported lost if the
            // lease ran out meanwhile.
            this.results.unshift(...batch);
            return;
          }
          for (const { result, jobId, scheduledAt } of batch) {
            if (accepted.has(result.id)) continue;
            this.events.emit('lost', {
              jobId,
              scheduledAt: new Date(scheduledAt),
              attempt: result.attempt,
              reason:
                'the run was no longer held by this process when it finished (its lease expired), so its result was not recorded',
            });
          }
        }
      } finally {
        this.flushing = undefined;
      }
    });
  }

  private async flushResults(): Promise<void> {
    this.flushNow?.();
    while (this.flushing !== undefined) await this.flushing;
    if (this.results.length > 0) {
      this.scheduleFlush();
      await this.flushing;
    }
  }

  private armRenew(): void {
    if (this.state !== 'running' && this.state !== 'stopping') return;
    // NOTE: no later than the first local lease expiry, so that a run whose renewals fail is given
    // up (aborted) before another process can take it over, not up to a third of the lease after.
    let delayMs = Math.max(1, Math.floor(this.leaseMs / 3));
    const now = performance.now();
    for (const run of this.held.values()) {
      if (!run.lost) delayMs = Math.min(delayMs, Math.max(1, Math.ceil(run.leaseExpires - now)));
    }
    const handle = this.timers.setTimeout(() => {
      this.renewTimer = undefined;
      // NOTE: a renewal that hangs (a stalled connection) must not stop the local lease checks.
      if (this.renewing) this.expireLeases(performance.now());
      else {
        this.renewing = true;
        void this.renew().finally(() => {
          this.renewing = false;
        });
      }
      this.armRenew();
    }, delayMs);
    if (this.unref) handle.unref?.();
    this.renewTimer = handle;
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const started = performance.now();
    const candidates = this.expireLeases(started);
    if (candidates.length === 0) return;
    let held: Map<string, { paused: boolean }>;
    try {
      held = await this.store.renew(
        this.nodeId,
        candidates.map((run) => ({ id: run.row.id, attempt: run.row.attempt })),
        this.leaseMs,
      );
    } catch (error) {
      this.events.emit('storeError', { error: toError(error), operation: 'renew' });
      return;
    }
    for (const run of candidates) {
      // A run that ended meanwhile is settled by `finish`, which reports it lost if it was.
      if (this.held.get(run.row.id) !== run) continue;
      const entry = held.get(run.row.id);
      if (entry === undefined) this.loseRun(run, 'the store no longer lists this process as the run’s owner');
      else {
        run.leaseExpires = started + this.leaseMs;
        if (entry.paused && run.daemon) this.abortRun(run, 'paused');
      }
    }
  }

  /** Gives up the held runs whose lease passed by the local monotonic clock; returns the others. */
  private expireLeases(now: number): HeldRun[] {
    const live: HeldRun[] = [];
    for (const run of this.held.values()) {
      if (run.lost) continue;
      // NOTE: a process that was stalled (SIGSTOP, a blocked loop) past its lease must not go on:
      // another process may already have taken the run over.
      if (now >= run.leaseExpires) this.loseRun(run, 'the lease expired before it could be renewed');
      else live.push(run);
    }
    return live;
  }

  private loseRun(run: HeldRun, reason: string): void {
    if (run.lost) return;
    run.lost = true;
    this.events.emit('lost', {
      jobId: run.jobId,
      scheduledAt: new Date(run.row.scheduledAt),
      attempt: run.row.attempt,
      reason,
    });
    this.abortRun(run, 'lost');
  }

  private abortRun(run: HeldRun, reason: NonNullable<HeldRun['abortReason']>): void {
    run.abortReason ??= reason;
    if (!run.controller.signal.aborted) {
      run.controller.abort(
        new SchedulerError('SCHEDULER_STOPPED', `The run was aborted: ${reason}.`, { jobId: run.jobId }),
      );
    }
  }

  /** Keeps a fire claimed ahead of its time until that time comes by the store's clock. */
  private holdAhead(row: RunRow, leaseExpires: number): void {
    if (this.state !== 'running' || !this.jobs.has(row.scheduleId)) {
      this.startRun(row, leaseExpires);
      return;
    }
    this.ahead.set(row.id, { row, leaseExpires });
    if (row.dueAt < this.aheadTimerAt) this.armAhead();
  }

  /**
   * Arms the one timer of the fires claimed ahead for the earliest of them. NOTE: a fire starts only
   * once the store's clock has reached its time for certain: the local estimate of that clock minus
   * its possible error (half the round trip it was measured with), so a fire never starts early.
   */
  private armAhead(): void {
    if (this.aheadTimer !== undefined) this.timers.clearTimeout(this.aheadTimer);
    this.aheadTimer = undefined;
    let at = Number.POSITIVE_INFINITY;
    for (const { row } of this.ahead.values()) if (row.dueAt < at) at = row.dueAt;
    this.aheadTimerAt = at;
    if (at === Number.POSITIVE_INFINITY) return;
    const delay = Math.max(0, Math.ceil(at - this.earliestStoreNow()));
    const handle = this.timers.setTimeout(() => {
      this.aheadTimer = undefined;
      this.aheadTimerAt = Number.POSITIVE_INFINITY;
      this.startDueAhead();
    }, delay);
    if (this.unref) handle.unref?.();
    this.aheadTimer = handle;
  }

  /** The earliest the store's clock can read now: on the monotonic clock, so local clock steps do not move it. */
  private earliestStoreNow(): number {
    return performance.now() + this.monoOffsetMs - this.offsetErrorMs;
  }

  private reading(): { wall: number; mono: number } {
    return { wall: this.clock.now(), mono: performance.now() };
  }

  /** Starts every fire claimed ahead whose time has come: late past its grace time it is missed. */
  private startDueAhead(): void {
    const storeNow = this.earliestStoreNow();
    const now = performance.now();
    for (const [id, entry] of this.ahead) {
      const { row } = entry;
      if (row.dueAt > storeNow) continue;
      this.ahead.delete(id);
      const scheduledAt = new Date(row.scheduledAt);
      if (now >= entry.leaseExpires) {
        // NOTE: stalled (SIGSTOP, a blocked loop) past the lease: another process may settle it now.
        this.events.emit('lost', {
          jobId: row.scheduleId,
          scheduledAt,
          attempt: row.attempt,
          reason: 'the lease expired before its time came (the process was stalled), so it was not started',
        });
      } else if (row.deadline !== null && storeNow > row.deadline && this.jobs.has(row.scheduleId)) {
        this.events.emit('missed', { jobId: row.scheduleId, scheduledAt, lateMs: storeNow - row.dueAt });
        this.results.push({
          result: { id: row.id, attempt: row.attempt, state: 'missed', error: null },
          jobId: row.scheduleId,
          scheduledAt: row.scheduledAt,
        });
        this.scheduleFlush();
      } else this.startRun(row, entry.leaseExpires);
    }
    this.armAhead();
  }

  /** Forgets the fires of a job claimed ahead: the store dropped them (pause, reschedule, replace, remove). */
  private dropAhead(jobId: string): void {
    let dropped = false;
    for (const [id, { row }] of this.ahead) {
      if (row.scheduleId !== jobId) continue;
      this.ahead.delete(id);
      dropped = true;
    }
    if (dropped) this.armAhead();
  }

  /** Asks the store which fires claimed ahead are still this process's; forgets the others. */
  private async verifyAhead(): Promise<void> {
    if (this.verifyingAhead) return;
    this.verifyingAhead = true;
    try {
      const entries = [...this.ahead.values()];
      const held = await this.store.renew(
        this.nodeId,
        entries.map(({ row }) => ({ id: row.id, attempt: row.attempt })),
        this.leaseMs,
      );
      let dropped = false;
      for (const { row } of entries) {
        if (held.has(row.id) || this.ahead.get(row.id)?.row !== row) continue;
        this.ahead.delete(row.id);
        dropped = true;
      }
      if (dropped) this.armAhead();
    } catch (error) {
      this.events.emit('storeError', { error: toError(error), operation: 'renew' });
    } finally {
      this.verifyingAhead = false;
    }
  }

  /** Gives the fires claimed ahead back to the store (shutdown): other processes take them at their time. */
  private releaseAhead(): void {
    const rows = [...this.ahead.values()].map(({ row }) => row);
    this.ahead.clear();
    this.armAhead();
    if (rows.length > 0) this.giveBack(rows);
  }

  /** Gives runs claimed and never started back to the store, attempt included; shutdown waits for it. */
  private giveBack(rows: readonly RunRow[]): void {
    this.releasing = Promise.all([
      this.releasing,
      this.store
        .release(
          this.nodeId,
          rows.map((row) => ({ id: row.id, attempt: row.attempt, delayMs: 0, unstarted: true })),
        )
        .catch((error: unknown) =>
          this.events.emit('storeError', { error: toError(error), operation: 'release' }),
        ),
    ]).then(() => undefined);
  }

  /**
   * Estimates the store clock minus the local clock from a round trip that read the store's clock.
   * NOTE: one sample is off by up to half its round trip, which grows under load; the sample with
   * the shortest round trip among the last few bounds the error best (as NTP does).
   */
  private measureOffset(
    sent: { wall: number; mono: number },
    received: { wall: number; mono: number },
    storeNow: number,
  ): void {
    const sample = {
      roundTripMs: received.mono - sent.mono,
      offsetMs: storeNow - (sent.wall + received.wall) / 2,
      monoOffsetMs: storeNow - (sent.mono + received.mono) / 2,
    };
    // A sample that cannot agree with the current estimate within its own round trip means a clock
    // stepped (NTP, a resumed VM): start over from it.
    const bound = sample.roundTripMs + CLOCK_STEP_MS;
    if (
      Math.abs(sample.offsetMs - this.offsetMs) > bound ||
      Math.abs(sample.monoOffsetMs - this.monoOffsetMs) > bound
    ) {
      this.offsetSamples.length = 0;
    }
    this.offsetSamples.push(sample);
    if (this.offsetSamples.length > OFFSET_SAMPLES) this.offsetSamples.shift();
    let best = this.offsetSamples[0]!;
    for (const sample of this.offsetSamples) if (sample.roundTripMs < best.roundTripMs) best = sample;
    this.offsetMs = best.offsetMs;
    this.monoOffsetMs = best.monoOffsetMs;
    this.offsetErrorMs = best.roundTripMs / 2;
  }

  private armWake(delayMs?: number): void {
    if (this.state !== 'running') return;
    const hint = this.hint;
    let target = Number.POSITIVE_INFINITY;
    if (hint !== undefined) {
      for (const at of [ahead(hint.nextFireAt, this.lookaheadMs), hint.nextDueAt, hint.nextLeaseExpiry]) {
        if (at !== null && at < target) target = at;
      }
    }
    const localTarget = target - this.offsetMs;
    const now = this.clock.now();
    // Only back off when the store itself says the work was already due and still none was taken.
    const floor = this.stalled && hint !== undefined && target <= hint.now ? STALLED_RETRY_MS : 0;
    let delay = delayMs ?? Math.min(this.pollIntervalMs, Math.max(floor, localTarget - now));
    const poll = delayMs === undefined && delay >= this.pollIntervalMs;
    const backingOff = delayMs === undefined && !poll && floor > 0 && floor >= localTarget - now;
    delay = Math.max(0, Math.ceil(delay));
    this.clearWake();
    const handle = this.timers.setTimeout(() => {
      this.wakeTimer = undefined;
      if (poll) this.fullCycle = true;
      if (backingOff) this.refreshFirst = true;
      // NOTE: timers can fire a little early; if the target is not reached yet, sleep the rest.
      if (!poll && this.clock.now() + this.offsetMs < target) {
        this.armWake();
        return;
      }
      this.runCycle();
    }, delay);
    if (this.unref) handle.unref?.();
    this.wakeTimer = handle;
  }

  private clearWake(): void {
    if (this.wakeTimer !== undefined) this.timers.clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
  }

  private describe(row: ScheduleRow, running: number): ClusterJobInfo {
    return {
      id: row.id,
      kind: row.kind,
      trigger: row.trigger,
      nextRunAt: row.paused || row.nextFireAt === null ? null : new Date(row.nextFireAt),
      paused: row.paused,
      running,
      options: describeOptions(row),
    };
  }

  private assertNotStopped(): void {
    if (this.state === 'stopped' || this.state === 'stopping') {
      throw new SchedulerError('SCHEDULER_STOPPED', 'The scheduler has been shut down.');
    }
  }
}

/** `<job id>@<ISO time>`, `/manual` added for `runNow`; a daemon's run is keyed at the epoch. */
export function fireKeyOf(jobId: string, scheduledAt: number, manual = false): string {
  return `${jobId}@${new Date(scheduledAt).toISOString()}${manual ? '/manual' : ''}`;
}

function optionsOf(row: ScheduleRow): Partial<ClusterJobDefinition> {
  const { options } = row;
  return {
    coalesce: options.coalesce,
    maxInstances: options.maxInstances,
    misfireGraceTime: options.graceMs === null ? null : options.graceMs / 1000,
    jitter: options.jitterMs / 1000,
    startDate: options.startMs ?? undefined,
    endDate: options.endMs ?? undefined,
    timezone: options.timezone,
    onError: options.onError,
    onCrash: options.onCrash,
    maxAttempts: options.maxAttempts,
    backfillWindow: options.backfillMs / 1000,
  };
}

/** When the fire phase must run for a next fire at `at`: `lookaheadMs` before it. */
function ahead(at: number | null | undefined, lookaheadMs: number): number | null {
  return at === null || at === undefined ? null : at - lookaheadMs;
}

function due(at: number | null | undefined, now: number): boolean {
  return at !== null && at !== undefined && at <= now + 1;
}

function notFound(id: string): SchedulerError {
  return new SchedulerError('JOB_NOT_FOUND', `No job with id "${id}" in the store.`, { jobId: id });
}

function positive(value: number, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new SchedulerError(
      'INVALID_OPTION',
      `Expected ${name} to be a number >= ${min}, found ${String(value)}.`,
    );
  }
  return value;
}

async function withTimeout(
  promise: Promise<unknown>,
  timeoutMs: number,
  timers: TimerSource,
): Promise<boolean> {
  if (!Number.isFinite(timeoutMs)) {
    await promise;
    return true;
  }
  let handle: TimerHandle | undefined;
  const timeout = new Promise<false>((resolve) => {
    handle = timers.setTimeout(() => resolve(false), timeoutMs);
  });
  const result = await Promise.race([promise.then(() => true as const), timeout]);
  if (handle !== undefined) timers.clearTimeout(handle);
  return result;
}
