import { leaseExpiredMessage, reapDelayMs, reapOutcome } from './plan.js';
import { quoteIdent, type SqlPort, type SqlQuery } from './port.js';
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

export interface PostgresJobStoreOptions {
  /** Schema of the two tables. Default `public`. */
  schema?: string;
  /** Prefix of the table names (`<prefix>schedules`, `<prefix>runs`) and the notification channel. Default `hookdex_`. */
  prefix?: string;
}

// NOTE: times cross the port as epoch milliseconds in float8, never as driver-parsed dates, so the
// store behaves the same whatever type parsers the caller's pg or TypeORM set up.
const MS = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;
const TS = (param: string) => `to_timestamp(${param}::float8 / 1000)`;
/** A run that counts toward `maxInstances`: running under a live lease (the cluster presumes an expired one dead). */
const LIVE_RUNNING = "rr.state = 'running' AND rr.lease_until > now()";

/**
 * A `JobStore` in PostgreSQL, shared by every process that uses the same tables: fires are
 * materialised under `FOR UPDATE SKIP LOCKED` with a unique (schedule, scheduled time) key, due-ness
 * is decided by the database clock, runs are leased with a fencing attempt number, and changes are
 * announced with NOTIFY. Only transaction-scoped locks are used, so it works behind PgBouncer in
 * transaction mode (where LISTEN does not: the scheduler then polls).
 */
export class PostgresJobStore implements JobStore {
  private readonly schedules: string;
  private readonly runs: string;
  private readonly channel: string;
  private readonly prefix: string;
  private readonly scheduleColumns: string;
  private readonly runColumns: string;
  private readonly claimFunction: string;

  constructor(
    private readonly port: SqlPort,
    options: PostgresJobStoreOptions = {},
  ) {
    const schema = options.schema ?? 'public';
    this.prefix = options.prefix ?? 'hookdex_';
    if (!/^[a-z_][a-z0-9_]*$/i.test(this.prefix)) {
      throw new Error(
        `Expected the table prefix to be letters, digits and underscores, found ${JSON.stringify(this.prefix)}.`,
      );
    }
    this.schedules = `${quoteIdent(schema)}.${quoteIdent(`${this.prefix}schedules`)}`;
    this.runs = `${quoteIdent(schema)}.${quoteIdent(`${this.prefix}runs`)}`;
    this.channel = `${this.prefix}scheduler`;
    // NOTE: the version suffix lets a later release change the body without racing older replicas.
    this.claimFunction = `${quoteIdent(schema)}.${quoteIdent(`${this.prefix}claim_v1`)}`;
    this.scheduleColumns = `s.id, s.kind, s.trigger, s.options, s.hash, ${MS('s.next_fire_at')} AS next_fire_at, s.paused`;
    this.runColumns = [
      'r.id::text AS id',
      'r.schedule_id',
      `${MS('r.scheduled_at')} AS scheduled_at`,
      `${MS('r.due_at')} AS due_at`,
      `${MS('r.deadline')} AS deadline`,
      'r.state',
      'r.owner',
      `${MS('r.lease_until')} AS lease_until`,
      'r.attempt',
      `${MS('r.range_from')} AS range_from`,
      `${MS('r.range_to')} AS range_to`,
      'r.error',
      'r.manual',
    ].join(', ');
  }

  async setup(): Promise<void> {
    const p = this.prefix;
    await this.port.transaction(async (query) => {
      // NOTE: concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog; a
      // transaction-scoped advisory lock serialises replicas starting together.
      await query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.schedules}:setup`]);
      // NOTE: CREATE INDEX IF NOT EXISTS share-locks its table even when the index exists, which
      // deadlocks with another process's fire() (it holds the runs table, then updates schedules):
      // a replica starting while others run must not touch tables that are all there.
      const objects = ['schedules', 'runs', 'schedules_due', 'runs_pending', 'runs_running'].map(
        (name) => p + name,
      );
      const [existing] = await query(
        `SELECT count(*)::int AS present, to_regproc($3) IS NOT NULL AS claim FROM pg_class c
         WHERE c.relnamespace = (SELECT t.relnamespace FROM pg_class t WHERE t.oid = to_regclass($1))
           AND c.relname = ANY($2::text[])`,
        [this.schedules, objects, this.claimFunction],
      );
      if (Number(existing?.present) === objects.length && existing?.claim === true) return;
      await query(`CREATE TABLE IF NOT EXISTS ${this.schedules} (
        id text PRIMARY KEY,
        kind text NOT NULL,
        trigger jsonb NOT NULL,
        options jsonb NOT NULL,
        hash text NOT NULL,
        next_fire_at timestamptz,
        paused boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
      await query(
        `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${p}schedules_due`)} ON ${this.schedules} (next_fire_at) WHERE NOT paused`,
      );
      await query(`CREATE TABLE IF NOT EXISTS ${this.runs} (
        id bigserial PRIMARY KEY,
        schedule_id text NOT NULL REFERENCES ${this.schedules} (id) ON DELETE CASCADE,
        scheduled_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        deadline timestamptz,
        state text NOT NULL,
        owner text,
        lease_until timestamptz,
        attempt integer NOT NULL DEFAULT 0,
        range_from timestamptz,
        range_to timestamptz,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        manual boolean NOT NULL DEFAULT false,
        CONSTRAINT ${quoteIdent(`${p}runs_fire_key`)} UNIQUE (schedule_id, scheduled_at, manual)
      )`);
      await query(
        `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${p}runs_pending`)} ON ${this.runs} (due_at) WHERE state = 'pending'`,
      );
      await query(
        `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${p}runs_running`)} ON ${this.runs} (schedule_id, lease_until) WHERE state = 'running'`,
      );
      await query(this.claimFunctionSql());
    });
  }

  /**
   * The claim as one server-side function, so that claiming at a fire time costs one round trip
   * (autocommit) instead of five (BEGIN, lock, count, update, COMMIT): at the fire time every
   * round trip waits for a CPU behind the other processes waking for the same fire. Its two
   * statements keep the two snapshots the claim needs: the first locks the due pending runs and
   * their schedules (`SKIP LOCKED`); the second, with a fresh snapshot taken after the locks (a
   * VOLATILE function's statements each get one in READ COMMITTED), counts live running runs and
   * decides exactly as `decideClaims` (plan.ts) does for the in-memory store: past its deadline a
   * run is `missed`; otherwise the first `maxInstances - running` of a schedule's runs, oldest
   * first, start; the rest are `skipped` (first attempts) or stay pending (retries, daemons).
   * Returns the decided runs and one row with no id carrying how many runs were locked and `now`.
   */
  private claimFunctionSql(): string {
    const runColumn = (column: string) => column.replace(/\br\./g, 'u.');
    return `CREATE OR REPLACE FUNCTION ${this.claimFunction}(p_owner text, p_jobs text[], p_limit integer, p_lease_ms float8)
      RETURNS TABLE (id text, schedule_id text, scheduled_at float8, due_at float8, deadline float8, state text,
        owner text, lease_until float8, attempt integer, range_from float8, range_to float8, error text,
        manual boolean, seen integer, now_ms float8)
      LANGUAGE plpgsql VOLATILE AS $claim$
      #variable_conflict use_column
      DECLARE
        v_ids bigint[];
      BEGIN
        SELECT array_agg(l.id) INTO v_ids FROM (
          SELECT r.id FROM ${this.runs} r JOIN ${this.schedules} s ON s.id = r.schedule_id
          WHERE r.state = 'pending' AND r.due_at <= now() AND NOT s.paused AND r.schedule_id = ANY (p_jobs)
          ORDER BY r.due_at, r.id LIMIT p_limit
          FOR UPDATE OF r, s SKIP LOCKED) l;
        RETURN QUERY
        WITH candidate AS (
          SELECT r.id, r.schedule_id, r.due_at, r.attempt, s.kind, (s.options->>'maxInstances')::int AS max_instances,
            (r.deadline IS NOT NULL AND now() > r.deadline AND s.kind <> 'daemon') AS late
          FROM ${this.runs} r JOIN ${this.schedules} s ON s.id = r.schedule_id WHERE r.id = ANY (v_ids)
        ), live AS (
          SELECT rr.schedule_id, count(*)::int AS running FROM ${this.runs} rr
          WHERE rr.schedule_id IN (SELECT c.schedule_id FROM candidate c)
            AND ${LIVE_RUNNING}
          GROUP BY rr.schedule_id
        ), decided AS (
          SELECT c.id, CASE
              WHEN c.late THEN 'missed'
              WHEN coalesce(l.running, 0)
                + row_number() OVER (PARTITION BY c.schedule_id, c.late ORDER BY c.due_at, c.id) <= c.max_instances
                THEN 'running'
              WHEN c.attempt = 0 AND c.kind <> 'daemon' THEN 'skipped'
            END AS state
          FROM candidate c LEFT JOIN live l ON l.schedule_id = c.schedule_id
        ), u AS (
          UPDATE ${this.runs} AS r SET state = d.state,
            owner = CASE WHEN d.state = 'running' THEN p_owner END,
            lease_until = CASE WHEN d.state = 'running' THEN now() + p_lease_ms * interval '1 millisecond' END,
            attempt = r.attempt + CASE WHEN d.state = 'running' THEN 1 ELSE 0 END,
            started_at = CASE WHEN d.state = 'running' THEN now() ELSE r.started_at END,
            finished_at = CASE WHEN d.state = 'running' THEN NULL ELSE now() END
          FROM decided d WHERE r.id = d.id AND d.state IS NOT NULL AND r.state = 'pending'
          RETURNING r.*
        )
        SELECT ${this.runColumns.split(', ').map(runColumn).join(', ')}, NULL::integer, NULL::float8 FROM u
        UNION ALL
        SELECT NULL::text, NULL::text, NULL::float8, NULL::float8, NULL::float8, NULL::text, NULL::text,
          NULL::float8, NULL::integer, NULL::float8, NULL::float8, NULL::text, NULL::boolean,
          coalesce(cardinality(v_ids), 0), ${MS('now()')};
      END
      $claim$`;
  }

  async now(): Promise<number> {
    const [row] = await this.port.query(`SELECT ${MS('clock_timestamp()')} AS now`);
    return Number(row!.now);
  }

  async putSchedule(
    definition: Omit<ScheduleRow, 'nextFireAt' | 'paused'>,
    mode: 'add' | 'upsert',
    firstFire: (now: number) => { nextFireAt: number | null; definition: StoredDefinition },
  ): Promise<{ outcome: 'created' | 'replaced' | 'kept' | 'exists'; row: ScheduleRow }> {
    return this.port.transaction(async (query) => {
      const [clock] = await query(`SELECT ${MS('now()')} AS now`);
      const now = Number(clock!.now);
      const first = firstFire(now);
      const values = [
        definition.id,
        first.definition.kind,
        JSON.stringify(first.definition.trigger),
        JSON.stringify(first.definition.options),
        definition.hash,
        first.nextFireAt,
      ];
      const created = await query(
        `INSERT INTO ${this.schedules} AS s (id, kind, trigger, options, hash, next_fire_at)
         VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, ${TS('$6')})
         ON CONFLICT (id) DO NOTHING
         RETURNING ${this.scheduleColumns}`,
        values,
      );
      if (created.length > 0) {
        await this.afterWrite(query, definition.id, first.definition.kind);
        return { outcome: 'created' as const, row: scheduleOf(created[0]!) };
      }
      const [existing] = await query(
        `SELECT ${this.scheduleColumns} FROM ${this.schedules} s WHERE s.id = $1 FOR UPDATE`,
        [definition.id],
      );
      const row = scheduleOf(existing!);
      if (row.hash === definition.hash) return { outcome: 'kept' as const, row };
      if (mode === 'add') return { outcome: 'exists' as const, row };
      const [replaced] = await query(
        `UPDATE ${this.schedules} AS s SET kind = $2, trigger = $3::jsonb, options = $4::jsonb, hash = $5,
           next_fire_at = ${TS('$6')}, updated_at = now()
         WHERE s.id = $1 RETURNING ${this.scheduleColumns}`,
        values,
      );
      await this.dropAheadOfTime(query, definition.id);
      if (row.kind === 'daemon' && first.definition.kind !== 'daemon') {
        // A daemon replaced by a scheduled job: its waiting run must not start as the new job.
        await query(
          `DELETE FROM ${this.runs} WHERE schedule_id = $1 AND scheduled_at = to_timestamp(0) AND NOT manual AND state = 'pending'`,
          [definition.id],
        );
      }
      await this.afterWrite(query, definition.id, first.definition.kind);
      return { outcome: 'replaced' as const, row: scheduleOf(replaced!) };
    });
  }

  async deleteSchedule(id: string): Promise<boolean> {
    return this.port.transaction(async (query) => {
      const deleted = await query(`DELETE FROM ${this.schedules} WHERE id = $1 RETURNING id`, [id]);
      if (deleted.length > 0) await this.notify(query);
      return deleted.length > 0;
    });
  }

  async setPaused(
    id: string,
    paused: boolean,
    nextFire?: (row: ScheduleRow, now: number) => number | null,
  ): Promise<ScheduleRow | undefined> {
    return this.port.transaction(async (query) => {
      const current = await this.lockSchedule(query, id);
      if (current === undefined) return undefined;
      const next =
        !paused && nextFire !== undefined ? nextFire(current.row, current.now) : current.row.nextFireAt;
      if (paused) await this.dropAheadOfTime(query, id);
      const [row] = await query(
        `UPDATE ${this.schedules} AS s SET paused = $2, next_fire_at = ${TS('$3')}, updated_at = now()
         WHERE s.id = $1 RETURNING ${this.scheduleColumns}`,
        [id, paused, next],
      );
      await this.notify(query);
      return scheduleOf(row!);
    });
  }

  async redefine(
    id: string,
    update: (row: ScheduleRow, now: number) => Omit<ScheduleRow, 'id' | 'paused'>,
  ): Promise<ScheduleRow | undefined> {
    return this.port.transaction(async (query) => {
      const current = await this.lockSchedule(query, id);
      if (current === undefined) return undefined;
      const next = update(current.row, current.now);
      await this.dropAheadOfTime(query, id);
      const [row] = await query(
        `UPDATE ${this.schedules} AS s SET kind = $2, trigger = $3::jsonb, options = $4::jsonb, hash = $5,
           next_fire_at = ${TS('$6')}, updated_at = now()
         WHERE s.id = $1 RETURNING ${this.scheduleColumns}`,
        [
          id,
          next.kind,
          JSON.stringify(next.trigger),
          JSON.stringify(next.options),
          next.hash,
          next.nextFireAt,
        ],
      );
      await this.notify(query);
      return scheduleOf(row!);
    });
  }

  async getSchedules(ids?: readonly string[]): Promise<Array<{ row: ScheduleRow; running: number }>> {
    const rows = await this.port.query(
      `SELECT ${this.scheduleColumns}, ${this.runningCount('s.id')} AS running
       FROM ${this.schedules} s ${ids === undefined ? '' : 'WHERE s.id = ANY($1::text[])'} ORDER BY s.id`,
      ids === undefined ? [] : [ids],
    );
    return rows.map((row) => ({ row: scheduleOf(row), running: Number(row.running) }));
  }

  async fire(
    owner: string,
    jobIds: readonly string[],
    limit: number,
    leaseMs: number,
    plan: (due: DueSchedule[], now: number) => FirePlan,
    horizonMs = 0,
  ): Promise<{ now: number | null; inserted: RunRow[]; due: number }> {
    return this.port.transaction(async (query) => {
      const locked = await query(
        `SELECT ${this.scheduleColumns}, ${MS('now()')} AS now
         FROM ${this.schedules} s
         WHERE NOT s.paused AND s.next_fire_at <= now() + $3::float8 * interval '1 millisecond'
           AND s.id = ANY($1::text[])
         ORDER BY s.next_fire_at LIMIT $2
         FOR UPDATE OF s SKIP LOCKED`,
        [jobIds, limit, horizonMs],
      );
      if (locked.length === 0) return { now: null, inserted: [], due: 0 };
      const now = Number(locked[0]!.now);
      // NOTE: fires ahead of time are claimed here too, so every locked schedule needs its count.
      const running = await this.runningOf(
        query,
        locked.map((row) => String(row.id)),
      );
      const decided = plan(
        locked.map((row) => ({ row: scheduleOf(row), running: running.get(String(row.id)) ?? 0 })),
        now,
      );
      let inserted: RunRow[] = [];
      if (!decided.runs.some((run) => run.state === 'running')) {
        // NOTE: nothing starts on this commit, so losing it in a database crash only means planning
        // it again; not waiting for the WAL flush takes the fsync off the path of fires written ahead.
        await query('SET LOCAL synchronous_commit = off');
      }
      if (decided.runs.length > 0) {
        const columns = {
          schedule: [] as string[],
          scheduled: [] as number[],
          due: [] as number[],
          deadline: [] as Array<number | null>,
          state: [] as string[],
          from: [] as Array<number | null>,
          to: [] as Array<number | null>,
        };
        for (const run of decided.runs) {
          columns.schedule.push(run.scheduleId);
          columns.scheduled.push(run.scheduledAt);
          columns.due.push(run.dueAt);
          columns.deadline.push(run.deadline);
          columns.state.push(run.state);
          columns.from.push(run.rangeFrom);
          columns.to.push(run.rangeTo);
        }
        const rows = await query(
          `INSERT INTO ${this.runs} AS r (schedule_id, scheduled_at, due_at, deadline, state, owner, lease_until,
             attempt, range_from, range_to, started_at, finished_at)
           SELECT v.schedule_id, ${TS('v.scheduled')}, ${TS('v.due')}, ${TS('v.deadline')}, v.state,
             CASE WHEN v.state = 'running' THEN $8 END,
             CASE WHEN v.state = 'running' THEN greatest(now(), ${TS('v.due')}) + $9::float8 * interval '1 millisecond' END,
             CASE WHEN v.state = 'running' THEN 1 ELSE 0 END,
             ${TS('v.range_from')}, ${TS('v.range_to')},
             CASE WHEN v.state = 'running' THEN greatest(now(), ${TS('v.due')}) END,
             CASE WHEN v.state IN ('missed', 'skipped') THEN now() END
           FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[], $5::text[], $6::float8[], $7::float8[])
             AS v(schedule_id, scheduled, due, deadline, state, range_from, range_to)
           ON CONFLICT (schedule_id, scheduled_at, manual) DO NOTHING
           RETURNING ${this.runColumns}`,
          [
            columns.schedule,
            columns.scheduled,
            columns.due,
            columns.deadline,
            columns.state,
            columns.from,
            columns.to,
            owner,
            leaseMs,
          ],
        );
        inserted = rows.map(runOf);
      }
      if (decided.advance.size > 0) {
        await query(
          `UPDATE ${this.schedules} AS s SET next_fire_at = ${TS('v.next')}
           FROM unnest($1::text[], $2::float8[]) AS v(id, next) WHERE s.id = v.id`,
          [[...decided.advance.keys()], [...decided.advance.values()]],
        );
      }
      if (inserted.some((run) => run.state === 'pending')) await this.notify(query);
      return { now, inserted, due: locked.length };
    });
  }

  async claim(
    owner: string,
    jobIds: readonly string[],
    limit: number,
    leaseMs: number,
  ): Promise<{ now: number | null; claimed: RunRow[]; closed: RunRow[]; seen: number }> {
    const rows = await this.port.query(
      `SELECT * FROM ${this.claimFunction}($1::text, $2::text[], $3::int, $4::float8)`,
      [owner, jobIds, limit, leaseMs],
    );
    const claimed: RunRow[] = [];
    const closed: RunRow[] = [];
    let seen = 0;
    let now: number | null = null;
    for (const row of rows) {
      if (row.id === null) {
        seen = Number(row.seen);
        now = seen === 0 ? null : Number(row.now_ms);
        continue;
      }
      const run = runOf(row);
      (run.state === 'running' ? claimed : closed).push(run);
    }
    return { now, claimed, closed, seen };
  }

  async insertManualRun(scheduleId: string): Promise<RunRow | undefined> {
    return this.port.transaction(async (query) => {
      // NOTE: fire keys have millisecond resolution; a second runNow in the same millisecond takes the next one.
      for (let offset = 0; offset < 1000; offset++) {
        const rows = await query(
          `INSERT INTO ${this.runs} AS r (schedule_id, scheduled_at, due_at, state, manual)
           SELECT s.id, date_trunc('milliseconds', now()) + $2::float8 * interval '1 millisecond', now(), 'pending', true
           FROM ${this.schedules} s WHERE s.id = $1
           ON CONFLICT (schedule_id, scheduled_at, manual) DO NOTHING
           RETURNING ${this.runColumns}`,
          [scheduleId, offset],
        );
        if (rows.length > 0) {
          await this.notify(query);
          return runOf(rows[0]!);
        }
        const [exists] = await query(`SELECT 1 AS one FROM ${this.schedules} WHERE id = $1`, [scheduleId]);
        if (exists === undefined) return undefined;
      }
      throw new Error(`Could not find a free fire key for a manual run of "${scheduleId}".`);
    });
  }

  async renew(
    owner: string,
    runs: ReadonlyArray<{ id: string; attempt: number }>,
    leaseMs: number,
  ): Promise<Map<string, { paused: boolean }>> {
    if (runs.length === 0) return new Map();
    const rows = await this.port.query(
      `UPDATE ${this.runs} AS r SET lease_until = greatest(r.lease_until, now() + $4::float8 * interval '1 millisecond')
       FROM unnest($1::bigint[], $2::int[]) AS v(id, attempt), ${this.schedules} s
       WHERE r.id = v.id AND r.attempt = v.attempt AND r.owner = $3 AND r.state = 'running'
         AND r.lease_until > now() AND s.id = r.schedule_id
       RETURNING r.id::text AS id, s.paused`,
      [runs.map((run) => run.id), runs.map((run) => run.attempt), owner, leaseMs],
    );
    return new Map(rows.map((row) => [String(row.id), { paused: row.paused === true }]));
  }

  async finish(owner: string, results: readonly RunResult[]): Promise<Set<string>> {
    if (results.length === 0) return new Set();
    const rows = await this.port.query(
      `UPDATE ${this.runs} AS r SET state = v.state, error = v.error, lease_until = NULL, finished_at = now()
       FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[]) AS v(id, attempt, state, error)
       WHERE r.id = v.id AND r.attempt = v.attempt AND r.owner = $5 AND r.state = 'running'
       RETURNING r.id::text AS id`,
      [
        results.map((result) => result.id),
        results.map((result) => result.attempt),
        results.map((result) => result.state),
        results.map((result) => result.error),
        owner,
      ],
    );
    return new Set(rows.map((row) => String(row.id)));
  }

  async release(owner: string, runs: readonly RunRelease[]): Promise<void> {
    if (runs.length === 0) return;
    await this.port.transaction(async (query) => {
      const rows = await query(
        `UPDATE ${this.runs} AS r SET state = 'pending', owner = NULL, lease_until = NULL,
           due_at = greatest(r.due_at, now() + v.delay * interval '1 millisecond'),
           attempt = r.attempt - CASE WHEN v.unstarted THEN 1 ELSE 0 END
         FROM unnest($1::bigint[], $2::int[], $3::float8[], $5::boolean[]) AS v(id, attempt, delay, unstarted)
         WHERE r.id = v.id AND r.attempt = v.attempt AND r.owner = $4 AND r.state = 'running'
         RETURNING r.id`,
        [
          runs.map((run) => run.id),
          runs.map((run) => run.attempt),
          runs.map((run) => run.delayMs),
          owner,
          runs.map((run) => run.unstarted === true),
        ],
      );
      if (rows.length > 0) await this.notify(query);
    });
  }

  async reap(): Promise<ReapedRun[]> {
    return this.port.transaction(async (query) => {
      const expired = await query(
        `SELECT ${this.runColumns}, row_to_json(s) AS schedule_json, ${MS('now()')} AS now
         FROM ${this.runs} r JOIN ${this.schedules} s ON s.id = r.schedule_id
         WHERE r.state = 'running' AND r.lease_until <= now()
         ORDER BY r.lease_until LIMIT 1000
         FOR UPDATE OF r SKIP LOCKED`,
      );
      if (expired.length === 0) return [];
      const reaped: ReapedRun[] = expired.map((row) => {
        const run = runOf(row);
        const schedule = scheduleOf({
          ...(row.schedule_json as Record<string, unknown>),
          next_fire_at: null,
        });
        return { run, owner: run.owner ?? '', outcome: reapOutcome(schedule, run.attempt), schedule };
      }) as Array<ReapedRun & { schedule: ScheduleRow }>;
      const rows = await query(
        `UPDATE ${this.runs} AS r SET
           state = CASE WHEN v.outcome = 'retried' THEN 'pending' ELSE v.outcome END,
           owner = NULL, lease_until = NULL,
           due_at = CASE WHEN v.outcome = 'retried' THEN now() + v.delay * interval '1 millisecond' ELSE r.due_at END,
           deadline = CASE WHEN v.outcome = 'retried' THEN NULL ELSE r.deadline END,
           error = CASE WHEN v.outcome = 'retried' THEN r.error ELSE v.error END,
           finished_at = CASE WHEN v.outcome = 'retried' THEN NULL ELSE now() END
         FROM unnest($1::bigint[], $2::text[], $3::float8[], $4::text[]) AS v(id, outcome, delay, error)
         WHERE r.id = v.id
         RETURNING ${this.runColumns}`,
        [
          reaped.map((entry) => entry.run.id),
          reaped.map((entry) => entry.outcome),
          reaped.map((entry) =>
            reapDelayMs((entry as ReapedRun & { schedule: ScheduleRow }).schedule, entry.run.attempt),
          ),
          reaped.map((entry) => leaseExpiredMessage(entry.owner, entry.run.attempt)),
        ],
      );
      const updated = new Map(rows.map((row) => [String(row.id), runOf(row)]));
      if (reaped.some((entry) => entry.outcome === 'retried')) await this.notify(query);
      return reaped.map(({ run, owner, outcome }) => ({ run: updated.get(run.id) ?? run, owner, outcome }));
    });
  }

  async wakeHint(jobIds: readonly string[]): Promise<WakeHint> {
    const [row] = await this.port.query(
      `SELECT ${MS('clock_timestamp()')} AS now,
         ${MS(`(SELECT min(s.next_fire_at) FROM ${this.schedules} s WHERE NOT s.paused AND s.id = ANY($1::text[]))`)} AS next_fire_at,
         ${MS(`(SELECT min(r.due_at) FROM ${this.runs} r JOIN ${this.schedules} s ON s.id = r.schedule_id
                WHERE r.state = 'pending' AND NOT s.paused AND r.schedule_id = ANY($1::text[]))`)} AS next_due_at,
         ${MS(`(SELECT min(r.lease_until) FROM ${this.runs} r WHERE r.state = 'running')`)} AS next_lease_expiry`,
      [jobIds],
    );
    return {
      now: Number(row!.now),
      nextFireAt: numberOrNull(row!.next_fire_at),
      nextDueAt: numberOrNull(row!.next_due_at),
      nextLeaseExpiry: numberOrNull(row!.next_lease_expiry),
    };
  }

  async subscribe(listener: () => void): Promise<() => Promise<void>> {
    if (this.port.listen === undefined) return async () => {};
    // NOTE: when the listening connection breaks, the scheduler is woken once and goes on polling.
    return this.port.listen(this.channel, listener, () => listener());
  }

  async pruneRuns(before: number): Promise<number> {
    const rows = await this.port.query(
      `DELETE FROM ${this.runs} WHERE state NOT IN ('pending', 'running') AND scheduled_at < ${TS('$1')} RETURNING id`,
      [before],
    );
    return rows.length;
  }

  async listRuns(filter: { scheduleId?: string; states?: readonly RunState[] } = {}): Promise<RunRow[]> {
    const rows = await this.port.query(
      `SELECT ${this.runColumns} FROM ${this.runs} r
       WHERE ($1::text IS NULL OR r.schedule_id = $1) AND ($2::text[] IS NULL OR r.state = ANY($2::text[]))
       ORDER BY r.scheduled_at, r.id`,
      [filter.scheduleId ?? null, filter.states ?? null],
    );
    return rows.map(runOf);
  }

  /**
   * Live running runs per schedule, read by a statement of its own once the schedule rows are
   * locked: in READ COMMITTED each statement gets a fresh snapshot, so this sees every run committed
   * by whoever held those locks before us. (A count inside the locking SELECT would use that
   * statement's older snapshot and could miss a run started meanwhile, letting one too many start.)
   */
  private async runningOf(query: SqlQuery, scheduleIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await query(
      `SELECT rr.schedule_id, count(*)::int AS running FROM ${this.runs} rr
       WHERE rr.schedule_id = ANY($1::text[]) AND ${LIVE_RUNNING}
       GROUP BY rr.schedule_id`,
      [[...new Set(scheduleIds)]],
    );
    return new Map(rows.map((row) => [String(row.schedule_id), Number(row.running)]));
  }

  private runningCount(scheduleId: string): string {
    return `(SELECT count(*) FROM ${this.runs} rr
      WHERE rr.schedule_id = ${scheduleId} AND ${LIVE_RUNNING})::int`;
  }

  private async lockSchedule(
    query: SqlQuery,
    id: string,
  ): Promise<{ row: ScheduleRow; now: number } | undefined> {
    const [row] = await query(
      `SELECT ${this.scheduleColumns}, ${MS('now()')} AS now FROM ${this.schedules} s WHERE s.id = $1 FOR UPDATE`,
      [id],
    );
    return row === undefined ? undefined : { row: scheduleOf(row), now: Number(row.now) };
  }

  /**
   * Drops a schedule's fires inserted ahead of time: pending ones never claimed (not retries, runNow
   * or a daemon's run) and ones claimed ahead whose time has not come (their owner cancels them when
   * it next renews).
   */
  private async dropAheadOfTime(query: SqlQuery, id: string): Promise<void> {
    await query(
      `DELETE FROM ${this.runs} WHERE schedule_id = $1 AND NOT manual AND scheduled_at <> to_timestamp(0)
         AND ((state = 'pending' AND attempt = 0) OR (state = 'running' AND attempt = 1 AND due_at > now()))`,
      [id],
    );
  }

  /** After a schedule is written: a daemon gets its one run row; every process is told. */
  private async afterWrite(query: SqlQuery, id: string, kind: string): Promise<void> {
    if (kind === 'daemon') {
      await query(
        `INSERT INTO ${this.runs} (schedule_id, scheduled_at, due_at, state)
         VALUES ($1, to_timestamp(0), now(), 'pending') ON CONFLICT (schedule_id, scheduled_at, manual) DO NOTHING`,
        [id],
      );
    }
    await this.notify(query);
  }

  private async notify(query: SqlQuery): Promise<void> {
    await query('SELECT pg_notify($1, $2)', [this.channel, '']);
  }
}

function scheduleOf(row: Record<string, unknown>): ScheduleRow {
  return {
    id: String(row.id),
    kind: row.kind as ScheduleRow['kind'],
    trigger: jsonOf(row.trigger) as ScheduleRow['trigger'],
    options: jsonOf(row.options) as ScheduleRow['options'],
    hash: String(row.hash),
    nextFireAt: numberOrNull(row.next_fire_at),
    paused: row.paused === true,
  };
}

function runOf(row: Record<string, unknown>): RunRow {
  return {
    id: String(row.id),
    scheduleId: String(row.schedule_id),
    scheduledAt: Number(row.scheduled_at),
    dueAt: Number(row.due_at),
    deadline: numberOrNull(row.deadline),
    state: row.state as RunState,
    owner: (row.owner as string | null) ?? null,
    leaseUntil: numberOrNull(row.lease_until),
    attempt: Number(row.attempt),
    rangeFrom: numberOrNull(row.range_from),
    rangeTo: numberOrNull(row.range_to),
    error: (row.error as string | null) ?? null,
    manual: row.manual === true,
  };
}

function jsonOf(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Math.round(Number(value));
}
