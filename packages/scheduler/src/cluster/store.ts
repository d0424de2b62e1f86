import type { StoredDefinition } from './types.js';

/** Run states. `pending` waits for `dueAt`; `running` is leased; the rest are final. */
export type RunState = 'pending' | 'running' | 'succeeded' | 'failed' | 'missed' | 'skipped' | 'abandoned';

/** A schedule row: one per job id, shared by every process. */
export interface ScheduleRow extends StoredDefinition {
  id: string;
  /** Identifies the definition: `add` of the same id and hash is a no-op on every replica. */
  hash: string;
  /** The next fire not yet materialised (before jitter); null when finished, or a daemon. */
  nextFireAt: number | null;
  paused: boolean;
}

/**
 * A run row: one per fire key (schedule, scheduledAt). A row may stand for a coalesced range of
 * fires [`rangeFrom`, `rangeTo`] that ran (or were missed) as one.
 */
export interface RunRow {
  id: string;
  scheduleId: string;
  scheduledAt: number;
  dueAt: number;
  /** The run must start by then or it is missed; null for no limit. */
  deadline: number | null;
  state: RunState;
  owner: string | null;
  leaseUntil: number | null;
  /** Fencing token: bumped by every claim. */
  attempt: number;
  rangeFrom: number | null;
  rangeTo: number | null;
  error: string | null;
  /** Queued by `runNow`: its key is (schedule, time, manual), apart from the schedule's own fires. */
  manual: boolean;
}

/** A run to insert. `running` ones are claimed by the inserting process in the same transaction. */
export interface NewRun {
  scheduleId: string;
  scheduledAt: number;
  dueAt: number;
  deadline: number | null;
  state: 'pending' | 'running' | 'missed' | 'skipped';
  rangeFrom: number | null;
  rangeTo: number | null;
}

/** A due schedule handed to the planner, locked for the transaction. */
export interface DueSchedule {
  row: ScheduleRow;
  /** Its runs that are `running` under a live lease, cluster-wide. */
  running: number;
}

/** What the planner decided for the due schedules of one transaction. */
export interface FirePlan {
  runs: NewRun[];
  /** New `nextFireAt` per schedule id (null: finished). */
  advance: Map<string, number | null>;
}

/** A pending run handed to the claim decision, its schedule locked for the transaction. */
export interface PendingRun {
  run: RunRow;
  /** What the decision needs of the run's schedule. */
  schedule: Pick<ScheduleRow, 'id' | 'kind'> & { options: Pick<ScheduleRow['options'], 'maxInstances'> };
  running: number;
}

/** A claim decision for one pending run; omitted runs stay pending. */
export interface ClaimDecision {
  id: string;
  state: 'running' | 'missed' | 'skipped';
}

export interface RunResult {
  id: string;
  attempt: number;
  /** `missed`: a run claimed ahead of its time that its owner could not start within the grace time. */
  state: 'succeeded' | 'failed' | 'missed';
  error: string | null;
}

/**
 * A run released by its owner: back to `pending`, due `delayMs` after the store's now, or at its own
 * due time if that is later (daemons on shutdown or exit; runs claimed ahead and never started).
 */
export interface RunRelease {
  id: string;
  attempt: number;
  delayMs: number;
  /** It was never started (claimed while shutting down): the claim's attempt is given back too. */
  unstarted?: boolean;
}

/** What the reaper did to one expired lease. */
export interface ReapedRun {
  run: RunRow;
  /** The owner whose lease expired. */
  owner: string;
  outcome: 'abandoned' | 'retried' | 'failed';
}

/** When there is next something to do, in store time (ms); null for nothing known. */
export interface WakeHint {
  now: number;
  nextFireAt: number | null;
  nextDueAt: number | null;
  nextLeaseExpiry: number | null;
}

/**
 * Where a `ClusterScheduler` keeps schedules and runs. Every method is one transaction; the
 * callbacks (`plan`, `decide`) run inside it, synchronously, while the rows they see are locked
 * against other processes. `MemoryJobStore` and `PostgresJobStore` implement it, and one test
 * suite runs against both.
 */
export interface JobStore {
  /** Creates the tables when missing. Idempotent; safe to call from every process at once. */
  setup(): Promise<void>;
  /** The store's clock (the database's), in epoch ms. */
  now(): Promise<number>;
  /**
   * Writes a schedule. `'add'`: insert unless the id exists (returns `'exists'` with the stored
   * hash); `'upsert'`: insert, or replace a row whose hash differs. `firstFire` computes the row's
   * first `nextFireAt` from the store's clock, only when a row is written.
   */
  putSchedule(
    definition: Omit<ScheduleRow, 'nextFireAt' | 'paused'>,
    mode: 'add' | 'upsert',
    firstFire: (now: number) => { nextFireAt: number | null; definition: StoredDefinition },
  ): Promise<{ outcome: 'created' | 'replaced' | 'kept' | 'exists'; row: ScheduleRow }>;
  /** Removes a schedule and its runs; false when there was none. */
  deleteSchedule(id: string): Promise<boolean>;
  /**
   * Pauses or resumes; `nextFire` computes the resumed schedule's next fire from the store's clock.
   * Pausing drops the schedule's fires inserted ahead of time and not yet claimed.
   */
  setPaused(
    id: string,
    paused: boolean,
    nextFire?: (row: ScheduleRow, now: number) => number | null,
  ): Promise<ScheduleRow | undefined>;
  /** Replaces a schedule's definition and next fire (reschedule), dropping fires inserted ahead of time. */
  redefine(
    id: string,
    update: (row: ScheduleRow, now: number) => Omit<ScheduleRow, 'id' | 'paused'>,
  ): Promise<ScheduleRow | undefined>;
  getSchedules(ids?: readonly string[]): Promise<Array<{ row: ScheduleRow; running: number }>>;
  /**
   * Locks up to `limit` due, unpaused schedules among `jobIds` (skipping ones another process holds),
   * asks `plan` what to insert, inserts the runs (one per fire key; a second insert of a key does
   * nothing), claims the `running` ones for `owner` with a lease, and advances the schedules.
   * Returns the store time (null when nothing was due), the runs inserted, and how many schedules were due.
   * With `horizonMs`, schedules due up to that far ahead are taken too: their fires are inserted
   * `pending` ahead of time (the plan sees a fire time after `now`), so that at the due time only a
   * claim is left to do.
   */
  fire(
    owner: string,
    jobIds: readonly string[],
    limit: number,
    leaseMs: number,
    plan: (due: DueSchedule[], now: number) => FirePlan,
    horizonMs?: number,
  ): Promise<{ now: number | null; inserted: RunRow[]; due: number }>;
  /**
   * Locks up to `limit` pending runs due among `jobIds` (oldest first, skipping ones another process
   * holds) and decides them as `decideClaims` (plan.ts) does: the running ones are claimed for
   * `owner` with a lease. Returns the store time (null when nothing was due), the runs claimed, the
   * runs closed (`missed`, `skipped`) and how many were locked.
   */
  claim(
    owner: string,
    jobIds: readonly string[],
    limit: number,
    leaseMs: number,
  ): Promise<{ now: number | null; claimed: RunRow[]; closed: RunRow[]; seen: number }>;
  /** Inserts a manual run due now for `runNow` (scheduledAt = now, keyed apart from scheduled fires). */
  insertManualRun(scheduleId: string): Promise<RunRow | undefined>;
  /** Extends the leases of `owner`'s running runs to `leaseMs` from now (never shortening one); returns the ids still held, with their schedule's `paused`. */
  renew(
    owner: string,
    runs: ReadonlyArray<{ id: string; attempt: number }>,
    leaseMs: number,
  ): Promise<Map<string, { paused: boolean }>>;
  /** Records results, only where `owner` still holds the run at that attempt; returns the accepted ids. */
  finish(owner: string, results: readonly RunResult[]): Promise<Set<string>>;
  /** Gives runs back (state `pending`), only where `owner` still holds them. */
  release(owner: string, runs: readonly RunRelease[]): Promise<void>;
  /**
   * Settles runs whose lease expired (`reapOutcome`): daemons and `onCrash: 'retry'` go back to
   * pending (after `retryBackoffMs`, attempt kept), the others are abandoned, and retries past
   * `maxAttempts` fail.
   */
  reap(): Promise<ReapedRun[]>;
  /** The earliest next fire, pending due time and lease expiry among `jobIds`, with the store's now. */
  wakeHint(jobIds: readonly string[]): Promise<WakeHint>;
  /** Calls `listener` when another process changed schedules or queued runs; resolves to an unsubscribe. */
  subscribe(listener: () => void): Promise<() => Promise<void>>;
  /** Deletes finished runs (not pending, not running) whose fire time is before `before` (store ms). */
  pruneRuns(before: number): Promise<number>;
  /** Run rows (for tests, tooling and `ClusterScheduler.runs`), oldest fire first. */
  listRuns(filter?: { scheduleId?: string; states?: readonly RunState[] }): Promise<RunRow[]>;
}
