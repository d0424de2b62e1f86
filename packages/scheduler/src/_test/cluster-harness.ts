import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { expect } from 'vitest';
import { pgPoolPort } from '../cluster/port.js';
import { PostgresJobStore } from '../cluster/postgres-store.js';
import type { RunRow } from '../cluster/store.js';

// The harness of the multi-process tests (src/cluster/cluster-processes.test.ts): child processes
// (cluster-child.mjs, running the BUILT package) on tables of their own, and the checks on their runs.
export const DATABASE_URL = process.env.DATABASE_URL;
export const CHILD_SCRIPT = fileURLToPath(new URL('./cluster-child.mjs', import.meta.url));
export const SOURCE_DIRECTORY = fileURLToPath(new URL('../cluster/', import.meta.url));
export const DIST_DIRECTORY = fileURLToPath(new URL('../../dist/cluster/', import.meta.url));
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export interface JobRole {
  id: string;
  trigger: Record<string, unknown>;
  options?: Record<string, unknown>;
  durationMs?: number;
  hang?: boolean;
  heartbeatMs?: number;
}

export interface Role {
  nodeId: string;
  jobs: JobRole[];
  skewMs?: number;
  leaseMs?: number;
  pollIntervalMs?: number;
}

export interface ChildEvent {
  type: string;
  node: string;
  jobId?: string;
  fireKey?: string;
  attempt?: number;
  scheduledAt?: string;
  [field: string]: unknown;
}

export interface Child {
  nodeId: string;
  process: ChildProcess;
  events: ChildEvent[];
  stderr: string[];
  exited: Promise<void>;
  alive: boolean;
}

export interface Effect {
  id: number;
  fireKey: string;
  jobId: string;
  nodeId: string;
  attempt: number;
  startedAt: number;
  endedAt: number | null;
  aborted: boolean;
}

/** Every child ever spawned by this file, so none outlives it even when a test fails. */
export const everyChild = new Set<Child>();

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something other than undefined or false; fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}.`);
    await sleep(intervalMs);
  }
}

/** The fire times `first, first + step, ...` before `end`. */
export function fireTimes(first: number, end: number, step: number): number[] {
  const times: number[] = [];
  for (let at = first; at < end; at += step) times.push(at);
  return times;
}

/** The most effects of one job that ran at the same time, by the database clock. */
export function maxOverlap(effects: readonly Effect[]): number {
  const edges = effects.flatMap((effect) => [
    { at: effect.startedAt, delta: 1 },
    { at: effect.endedAt ?? Number.POSITIVE_INFINITY, delta: -1 },
  ]);
  // An effect that ends when another starts does not overlap it.
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let most = 0;
  for (const edge of edges) {
    current += edge.delta;
    most = Math.max(most, current);
  }
  return most;
}

/** The built cluster module must exist and be newer than its sources, or the children run stale code. */
export function assertBuilt(): void {
  const hint = 'run `pnpm -F @hookdex/scheduler build` first (the child processes import dist/)';
  if (!existsSync(`${DIST_DIRECTORY}index.js`)) throw new Error(`dist/cluster/index.js is missing: ${hint}.`);
  for (const file of readdirSync(SOURCE_DIRECTORY)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const built = `${DIST_DIRECTORY}${file.replace(/\.ts$/, '.js')}`;
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(`${SOURCE_DIRECTORY}${file}`).mtimeMs) {
      throw new Error(
        `dist/cluster/${file.replace(/\.ts$/, '.js')} is older than src/cluster/${file}: ${hint}.`,
      );
    }
  }
}

/** One test's cluster: its own table prefix, its children, and queries on its tables. */
export class Cluster {
  readonly prefix = `hx${randomBytes(4).toString('hex')}_`;
  readonly store: PostgresJobStore;
  readonly children: Child[] = [];

  constructor(private readonly pool: pg.Pool) {
    this.store = new PostgresJobStore(pgPoolPort(pool), { prefix: this.prefix });
  }

  private table(name: 'effects' | 'runs' | 'schedules'): string {
    return `"${this.prefix}${name}"`;
  }

  async setup(): Promise<void> {
    await this.store.setup();
    await this.pool.query(`CREATE TABLE ${this.table('effects')} (
      id bigserial PRIMARY KEY,
      fire_key text NOT NULL,
      job_id text NOT NULL,
      node_id text NOT NULL,
      attempt integer NOT NULL,
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      aborted boolean NOT NULL DEFAULT false
    )`);
  }

  /** Kills every child still alive, then drops the tables. */
  async dispose(): Promise<void> {
    await Promise.all(this.children.map((child) => this.kill(child)));
    await this.pool.query(
      `DROP TABLE IF EXISTS ${this.table('effects')}, ${this.table('runs')}, ${this.table('schedules')} CASCADE`,
    );
    await this.pool.query(`DROP FUNCTION IF EXISTS "${this.prefix}claim_v1"`);
  }

  spawn(role: Role): Child {
    const full = { databaseUrl: DATABASE_URL, prefix: this.prefix, ...role };
    const child = spawn(process.execPath, [CHILD_SCRIPT, JSON.stringify(full)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TZ: 'UTC' },
    });
    const entry: Child = {
      nodeId: role.nodeId,
      process: child,
      events: [],
      stderr: [],
      alive: true,
      exited: new Promise<void>((resolve) => {
        child.once('exit', () => {
          entry.alive = false;
          resolve();
        });
      }),
    };
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        entry.events.push(JSON.parse(line) as ChildEvent);
      } catch {
        entry.events.push({ type: 'unparsed', node: role.nodeId, line });
      }
    });
    createInterface({ input: child.stderr! }).on('line', (line) => entry.stderr.push(line));
    this.children.push(entry);
    everyChild.add(entry);
    return entry;
  }

  async ready(child: Child, timeoutMs = 20_000): Promise<void> {
    await until(
      `${child.nodeId} is ready`,
      async () => {
        if (child.events.some((event) => event.type === 'ready')) return true;
        const fatal = child.events.find((event) => event.type === 'fatal');
        if (fatal !== undefined || !child.alive) {
          throw new Error(
            `${child.nodeId} exited before it was ready: ${JSON.stringify(fatal)} ${child.stderr.join('\n')}`,
          );
        }
        return false;
      },
      timeoutMs,
      50,
    );
  }

  async spawnReady(roles: Role[]): Promise<Child[]> {
    const children = roles.map((role) => this.spawn(role));
    await Promise.all(children.map((child) => this.ready(child)));
    return children;
  }

  async kill(child: Child, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (child.alive) child.process.kill(signal);
    await child.exited;
  }

  /** Stops a child gracefully (SIGTERM: the scheduler shuts down and records its results). */
  async stop(child: Child): Promise<void> {
    if (!child.alive) return;
    child.process.kill('SIGTERM');
    await Promise.race([
      child.exited,
      sleep(15_000).then(() => {
        throw new Error(`${child.nodeId} did not exit within 15 s of SIGTERM: ${child.stderr.join('\n')}`);
      }),
    ]);
  }

  byNode(nodeId: string): Child {
    const child = this.children.find((candidate) => candidate.nodeId === nodeId);
    if (child === undefined) throw new Error(`no child ${nodeId}`);
    return child;
  }

  events(type: string): ChildEvent[] {
    return this.children.flatMap((child) => child.events.filter((event) => event.type === type));
  }

  async dbNow(): Promise<number> {
    return this.store.now();
  }

  async runs(jobId: string): Promise<RunRow[]> {
    return this.store.listRuns({ scheduleId: jobId });
  }

  async schedule(jobId: string): Promise<{ nextFireAt: number; anchorMs: number | null; createdAt: number }> {
    const { rows } = await this.pool.query(
      `SELECT (extract(epoch from next_fire_at) * 1000)::float8 AS next_fire_at,
         (options->>'anchorMs')::float8 AS anchor_ms, (extract(epoch from created_at) * 1000)::float8 AS created_at
       FROM ${this.table('schedules')} WHERE id = $1`,
      [jobId],
    );
    const row = rows[0] as { next_fire_at: number; anchor_ms: number | null; created_at: number } | undefined;
    if (row === undefined) throw new Error(`no schedule ${jobId}`);
    return { nextFireAt: Math.round(row.next_fire_at), anchorMs: row.anchor_ms, createdAt: row.created_at };
  }

  /** The fire times of a per-second cron job: from the first after it was added, up to its next one. */
  async perSecondFires(jobId: string): Promise<number[]> {
    const { createdAt, nextFireAt } = await this.schedule(jobId);
    return fireTimes(Math.floor(createdAt / SECOND) * SECOND + SECOND, nextFireAt, SECOND);
  }

  async effectsByFireKey(jobId: string): Promise<Map<string, Effect[]>> {
    return groupBy(await this.effects(jobId), (effect) => effect.fireKey);
  }

  async effects(jobId: string): Promise<Effect[]> {
    const { rows } = await this.pool.query(
      `SELECT id::int AS id, fire_key, job_id, node_id, attempt, aborted,
         (extract(epoch from started_at) * 1000)::float8 AS started_at,
         (extract(epoch from ended_at) * 1000)::float8 AS ended_at
       FROM ${this.table('effects')} WHERE job_id = $1 ORDER BY started_at, id`,
      [jobId],
    );
    return rows.map((row) => ({
      id: row.id as number,
      fireKey: row.fire_key as string,
      jobId: row.job_id as string,
      nodeId: row.node_id as string,
      attempt: row.attempt as number,
      startedAt: row.started_at as number,
      endedAt: (row.ended_at as number | null) ?? null,
      aborted: row.aborted as boolean,
    }));
  }

  /** Live owners of running runs of a job (whose lease has not expired). */
  async liveOwners(jobId: string): Promise<string[]> {
    const { rows } = await this.pool.query(
      `SELECT DISTINCT owner FROM ${this.table('runs')}
       WHERE schedule_id = $1 AND state = 'running' AND lease_until > clock_timestamp()`,
      [jobId],
    );
    return rows.map((row) => row.owner as string);
  }

  async unexpiredLeases(): Promise<number> {
    const { rows } = await this.pool.query(
      `SELECT count(*)::int AS count FROM ${this.table('runs')}
       WHERE state = 'running' AND lease_until > clock_timestamp()`,
    );
    return rows[0].count as number;
  }

  /** Moves every schedule's next fire to `at` (what the table holds after a downtime). */
  async moveNextFires(at: number): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.table('schedules')} SET next_fire_at = to_timestamp($1::float8 / 1000)`,
      [at],
    );
  }
}

export const fireKey = (jobId: string, at: number) => `${jobId}@${new Date(at).toISOString()}`;

/** Every fire time in `expected` has exactly one run, or lies in the range of a `missed` run; no other run exists. */
export function expectEveryFireOnce(
  jobId: string,
  runs: readonly RunRow[],
  expected: readonly number[],
): void {
  const wanted = new Set(expected);
  const stray = runs.filter((run) => !wanted.has(run.scheduledAt));
  expect(
    stray.map((run) => fireKey(jobId, run.scheduledAt)),
    `runs of ${jobId} off the schedule`,
  ).toEqual([]);
  const gaps: string[] = [];
  for (const at of expected) {
    const own = runs.filter((run) => run.scheduledAt === at);
    expect(own.length, `runs with fire key ${fireKey(jobId, at)}`).toBeLessThanOrEqual(1);
    if (own.length === 1) continue;
    const covered = runs.some(
      (run) =>
        run.state === 'missed' &&
        run.rangeFrom !== null &&
        run.rangeTo !== null &&
        run.rangeFrom <= at &&
        at <= run.rangeTo,
    );
    if (!covered) gaps.push(fireKey(jobId, at));
  }
  expect(gaps, `fires of ${jobId} with no run and no missed range`).toEqual([]);
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group === undefined) groups.set(name, [item]);
    else group.push(item);
  }
  return groups;
}
