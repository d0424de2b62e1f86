import { type Clock, systemClock } from '../clock.js';
import { decideClaims, leaseExpiredMessage, reapDelayMs, reapOutcome } from './plan.js';
import type {
  DueSchedule,
  FirePlan,
  JobStore,
  ReapedRun,
  RunRelease,
  RunResult,
  RunRow,
  RunState,
  ScheduleRow,
  WakeHint,
} from './store.js';
import type { StoredDefinition } from './types.js';

/**
 * A `JobStore` in this process's memory: what `ClusterScheduler` uses when there is no database.
 * Several schedulers may share one instance (they then behave as a cluster in one process). Every
 * method runs to completion synchronously, which is its transaction.
 */
export class MemoryJobStore implements JobStore {
  private readonly schedules = new Map<string, ScheduleRow>();
  private readonly runs = new Map<string, RunRow>();
  private readonly keys = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private sequence = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  async setup(): Promise<void> {}

  async now(): Promise<number> {
    return this.clock.now();
  }

  async putSchedule(
    definition: Omit<ScheduleRow, 'nextFireAt' | 'paused'>,
    mode: 'add' | 'upsert',
    firstFire: (now: number) => { nextFireAt: number | null; definition: StoredDefinition },
  ): Promise<{ outcome: 'created' | 'replaced' | 'kept' | 'exists'; row: ScheduleRow }> {
    const existing = this.schedules.get(definition.id);
    if (existing !== undefined && (existing.hash === definition.hash || mode === 'add')) {
      return { outcome: existing.hash === definition.hash ? 'kept' : 'exists', row: clone(existing) };
    }
    const first = firstFire(this.clock.now());
    const row: ScheduleRow = {
      ...definition,
      ...first.definition,
      nextFireAt: first.nextFireAt,
      paused: existing?.paused ?? false,
    };
    this.schedules.set(row.id, row);
    if (existing !== undefined) this.dropAheadOfTime(row.id);
    if (row.kind === 'daemon') this.ensureDaemonRun(row.id);
    else if (existing?.kind === 'daemon') {
      // A daemon replaced by a scheduled job: its waiting run must not start as the new job.
      for (const run of [...this.runs.values()]) {
        if (run.scheduleId === row.id && run.scheduledAt === 0 && run.state === 'pending') {
          this.runs.delete(run.id);
          this.keys.delete(fireKey(run.scheduleId, 0));
        }
      }
    }
    this.changed();
    return { outcome: existing === undefined ? 'created' : 'replaced', row: clone(row) };
  }

  async deleteSchedule(id: string): Promise<boolean> {
    if (!this.schedules.delete(id)) return false;
    for (const run of [...this.runs.values()]) {
      if (run.scheduleId === id) {
        this.runs.delete(run.id);
        this.keys.delete(fireKey(run.scheduleId, run.scheduledAt, run.manual));
      }
    }
    this.changed();
    return true;
  }

  async setPaused(
    id: string,
    paused: boolean,
    nextFire?: (row: ScheduleRow, now: number) => number | null,
  ): Promise<ScheduleRow | undefined> {
    const row = this.schedules.get(id);
    if (row === undefined) return undefined;
    row.paused = paused;
    if (paused) this.dropAheadOfTime(id);
    if (!paused && nextFire !== undefined) row.nextFireAt = nextFire(clone(row), this.clock.now());
    this.changed();
    return clone(row);
  }

  async redefine(
    id: string,
    update: (row: ScheduleRow, now: number) => Omit<ScheduleRow, 'id' | 'paused'>,
  ): Promise<ScheduleRow | undefined> {
    const row = this.schedules.get(id);
    if (row === undefined) return undefined;
    Object.assign(row, update(clone(row), this.clock.now()));
    this.dropAheadOfTime(id);
    this.changed();
    return clone(row);
  }

  async getSchedules(ids?: readonly string[]): Promise<Array<{ row: ScheduleRow; running: number }>> {
    const now = this.clock.now();
    const rows =
      ids === undefined
        ? [...this.schedules.values()]
        : ids.flatMap((id) => {
            const row = this.schedules.get(id);
            return row === undefined ? [] : [row];
          });
    return rows.map((row) => ({ row: clone(row), running: this.runningOf(row.id, now) }));
  }

  async fire(
    owner: string,
    jobIds: readonly string[],
    limit: number,
    leaseMs: number,
    plan: (due: DueSchedule[], now: number) => FirePlan,
    horizonMs = 0,
  ): Promise<{ now: number; inserted: RunRow[]; due: number }> {
    const now = this.clock.now();
    const wanted = new Set(jobIds);
    const due = [...this.schedules.values()]
      .filter(
        (row) =>
          !row.paused && row.nextFireAt !== null && row.nextFireAt <= now + horizonMs && wanted.has(row.id),
      )
      .sort((a, b) => (a.nextFireAt ?? 0) - (b.nextFireAt ?? 0))
      .slice(0, limit);
    if (due.length === 0) return { now, inserted: [], due: 0 };
    const decided = plan(
      due.map((row) => ({ row: clone(row), running: this.runningOf(row.id, now) })),
      now,
    );
    const inserted: RunRow[] = [];
    for (const run of decided.runs) {
      const key = fireKey(run.scheduleId, run.scheduledAt);
      if (this.keys.has(key)) continue;
      this.keys.add(key);
      const running = run.state === 'running';
      const row: RunRow = {
        id: String(++this.sequence),
        scheduleId: run.scheduleId,
        scheduledAt: run.scheduledAt,
        dueAt: run.dueAt,
        deadline: run.deadline,
        state: run.state,
        owner: running ? owner : null,
        // A fire claimed ahead of its time holds its lease from that time.
        leaseUntil: running ? Math.max(now, run.dueAt) + leaseMs : null,
        attempt: running ? 1 : 0,
        rangeFrom: run.rangeFrom,
        rangeTo: run.rangeTo,
        error: null,
        manual: false,
      };
      this.runs.set(row.id, row);
      inserted.push(clone(row));
    }
    for (const [id, next] of decided.advance) {
      const row = this.schedules.get(id);
      if (row !== undefined) row.nextFireAt = next;
    }
    if (inserted.some((run) => run.state === 'pending')) this.changed();
    return { now, inserted, due: due.length };
  }

  async claim(
    owner: string,
    jobIds: readonly string[],
    limit: number,
    leaseMs: number,
  ): Promise<{ now: number; claimed: RunRow[]; closed: RunRow[]; seen: number }> {
    const now = this.clock.now();
    const wanted = new Set(jobIds);
    const pending = [...this.runs.values()]
      .filter((run) => run.state === 'pending' && run.dueAt <= now && wanted.has(run.scheduleId))
      .filter((run) => this.schedules.get(run.scheduleId)?.paused === false)
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, limit);
    if (pending.length === 0) return { now, claimed: [], closed: [], seen: 0 };
    const decisions = decideClaims(
      pending.map((run) => ({
        run: clone(run),
        schedule: clone(this.schedules.get(run.scheduleId)!),
        running: this.runningOf(run.scheduleId, now),
      })),
      now,
    );
    const claimed: RunRow[] = [];
    const closed: RunRow[] = [];
    for (const decision of decisions) {
      const run = this.runs.get(decision.id);
      if (run === undefined || run.state !== 'pending') continue;
      run.state = decision.state;
      if (decision.state === 'running') {
        run.owner = owner;
        run.leaseUntil = now + leaseMs;
        run.attempt++;
        claimed.push(clone(run));
      } else closed.push(clone(run));
    }
    return { now, claimed, closed, seen: pending.length };
  }

  async insertManualRun(scheduleId: string): Promise<RunRow | undefined> {
    if (!this.schedules.has(scheduleId)) return undefined;
    let now = this.clock.now();
    while (this.keys.has(fireKey(scheduleId, now, true))) now++;
    this.keys.add(fireKey(scheduleId, now, true));
    const row: RunRow = {
      id: String(++this.sequence),
      scheduleId,
      scheduledAt: now,
      dueAt: now,
      deadline: null,
      state: 'pending',
      owner: null,
      leaseUntil: null,
      attempt: 0,
      rangeFrom: null,
      rangeTo: null,
      error: null,
      manual: true,
    };
    this.runs.set(row.id, row);
    this.changed();
    return clone(row);
  }

  async renew(
    owner: string,
    runs: ReadonlyArray<{ id: string; attempt: number }>,
    leaseMs: number,
  ): Promise<Map<string, { paused: boolean }>> {
    const now = this.clock.now();
    const held = new Map<string, { paused: boolean }>();
    for (const { id, attempt } of runs) {
      const run = this.runs.get(id);
      if (!this.holds(run, owner, attempt) || run.leaseUntil === null || run.leaseUntil <= now) continue;
      // NOTE: never shorter: a fire claimed ahead holds its lease from its due time.
      run.leaseUntil = Math.max(run.leaseUntil, now + leaseMs);
      held.set(id, { paused: this.schedules.get(run.scheduleId)?.paused ?? false });
    }
    return held;
  }

  async finish(owner: string, results: readonly RunResult[]): Promise<Set<string>> {
    const accepted = new Set<string>();
    for (const result of results) {
      const run = this.runs.get(result.id);
      if (!this.holds(run, owner, result.attempt)) continue;
      run.state = result.state;
      run.error = result.error;
      run.leaseUntil = null;
      accepted.add(result.id);
    }
    return accepted;
  }

  async release(owner: string, runs: readonly RunRelease[]): Promise<void> {
    for (const release of runs) {
      const run = this.runs.get(release.id);
      if (!this.holds(run, owner, release.attempt)) continue;
      run.state = 'pending';
      run.owner = null;
      run.leaseUntil = null;
      run.dueAt = Math.max(run.dueAt, this.clock.now() + release.delayMs);
      if (release.unstarted === true) run.attempt--;
    }
    if (runs.length > 0) this.changed();
  }

  async reap(): Promise<ReapedRun[]> {
    const now = this.clock.now();
    const reaped: ReapedRun[] = [];
    for (const run of this.runs.values()) {
      if (run.state !== 'running' || run.leaseUntil === null || run.leaseUntil > now) continue;
      const schedule = this.schedules.get(run.scheduleId);
      const owner = run.owner ?? '';
      const outcome = reapOutcome(schedule, run.attempt);
      run.owner = null;
      run.leaseUntil = null;
      if (outcome === 'retried') {
        run.state = 'pending';
        run.dueAt = now + reapDelayMs(schedule, run.attempt);
        run.deadline = null;
      } else {
        run.state = outcome;
        run.error = leaseExpiredMessage(owner, run.attempt);
      }
      reaped.push({ run: clone(run), owner, outcome });
    }
    if (reaped.some((entry) => entry.outcome === 'retried')) this.changed();
    return reaped;
  }

  async wakeHint(jobIds: readonly string[]): Promise<WakeHint> {
    const wanted = new Set(jobIds);
    let nextFireAt: number | null = null;
    let nextDueAt: number | null = null;
    let nextLeaseExpiry: number | null = null;
    for (const row of this.schedules.values()) {
      if (!row.paused && row.nextFireAt !== null && wanted.has(row.id))
        nextFireAt = min(nextFireAt, row.nextFireAt);
    }
    for (const run of this.runs.values()) {
      if (
        run.state === 'pending' &&
        wanted.has(run.scheduleId) &&
        this.schedules.get(run.scheduleId)?.paused === false
      ) {
        nextDueAt = min(nextDueAt, run.dueAt);
      }
      if (run.state === 'running' && run.leaseUntil !== null)
        nextLeaseExpiry = min(nextLeaseExpiry, run.leaseUntil);
    }
    return { now: this.clock.now(), nextFireAt, nextDueAt, nextLeaseExpiry };
  }

  async subscribe(listener: () => void): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    return async () => {
      this.listeners.delete(listener);
    };
  }

  async pruneRuns(before: number): Promise<number> {
    let count = 0;
    for (const run of [...this.runs.values()]) {
      if (run.state === 'pending' || run.state === 'running' || run.scheduledAt >= before) continue;
      // NOTE: schedules only move forward (a replaced one restarts after now), so an old fire key
      // can never come back: it is safe to free it with its row.
      this.runs.delete(run.id);
      this.keys.delete(fireKey(run.scheduleId, run.scheduledAt, run.manual));
      count++;
    }
    return count;
  }

  async listRuns(filter: { scheduleId?: string; states?: readonly RunState[] } = {}): Promise<RunRow[]> {
    return [...this.runs.values()]
      .filter((run) => filter.scheduleId === undefined || run.scheduleId === filter.scheduleId)
      .filter((run) => filter.states === undefined || filter.states.includes(run.state))
      .sort((a, b) => a.scheduledAt - b.scheduledAt || Number(a.id) - Number(b.id))
      .map(clone);
  }

  /**
   * Drops a schedule's fires written ahead of time: `pending` ones never claimed (not retries, not
   * runNow, not a daemon's run) and ones claimed ahead whose time has not come (their owner cancels
   * them when it next renews).
   */
  private dropAheadOfTime(scheduleId: string): void {
    const now = this.clock.now();
    for (const run of [...this.runs.values()]) {
      if (run.scheduleId !== scheduleId || run.manual || run.scheduledAt === 0) continue;
      const waiting = run.state === 'pending' && run.attempt === 0;
      const claimedAhead = run.state === 'running' && run.attempt === 1 && run.dueAt > now;
      if (!waiting && !claimedAhead) continue;
      this.runs.delete(run.id);
      this.keys.delete(fireKey(run.scheduleId, run.scheduledAt));
    }
  }

  private ensureDaemonRun(scheduleId: string): void {
    const key = fireKey(scheduleId, 0);
    if (this.keys.has(key)) return;
    this.keys.add(key);
    const id = String(++this.sequence);
    this.runs.set(id, {
      id,
      scheduleId,
      scheduledAt: 0,
      dueAt: this.clock.now(),
      deadline: null,
      state: 'pending',
      owner: null,
      leaseUntil: null,
      attempt: 0,
      rangeFrom: null,
      rangeTo: null,
      error: null,
      manual: false,
    });
  }

  private holds(run: RunRow | undefined, owner: string, attempt: number): run is RunRow {
    return run !== undefined && run.state === 'running' && run.owner === owner && run.attempt === attempt;
  }

  private runningOf(scheduleId: string, now: number): number {
    let count = 0;
    for (const run of this.runs.values()) {
      if (run.scheduleId === scheduleId && run.state === 'running' && (run.leaseUntil ?? 0) > now) count++;
    }
    return count;
  }

  private changed(): void {
    for (const listener of [...this.listeners]) queueMicrotask(listener);
  }
}

function fireKey(scheduleId: string, scheduledAt: number, manual = false): string {
  return `${scheduleId}\u0000${scheduledAt}${manual ? '\u0000manual' : ''}`;
}

function min(current: number | null, value: number): number {
  return current === null || value < current ? value : current;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
