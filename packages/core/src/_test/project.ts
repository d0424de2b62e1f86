import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { FakeTime } from '@hookdex/scheduler/testing';
import { container } from 'tsyringe';
import { DataSource, EntitySchema } from 'typeorm';
import type { DatabaseConfig, HookdexConfig, JobConfig } from '../config/config-types.js';
import { parseConfig } from '../config/load-config.js';
import { registerCore } from '../di/register-core.js';
import { type HookCallback, HookRegistry } from '../hooks/hook-registry.js';
import { HookdexApp } from '../lifecycle/hookdex-app.js';
import { createLogger } from '../logging/create-logger.js';
import type { DatasourceFactory } from '../runtime/datasource.js';
import { type HandlerCallback, HandlerRegistry } from '../runtime/handler-registry.js';
import type { IndexKind } from '../runtime/index-kind.js';
import { TransactionManager } from '../transactions/transaction-manager.js';

/** The databases every runtime suite runs on: SQLite always, PostgreSQL when DATABASE_URL is set. */
export const DATABASES: Array<{ name: string; kind: 'sqlite' | 'postgres' }> = [
  { name: 'SQLite', kind: 'sqlite' },
  ...(process.env.DATABASE_URL ? [{ name: 'PostgreSQL', kind: 'postgres' as const }] : []),
];

/** A test model: one row per key with a numeric value. */
export interface Counter {
  key: string;
  value: number;
}
export const CounterEntity = new EntitySchema<Counter>({
  name: 'Counter',
  tableName: 'counter',
  columns: { key: { type: 'varchar', length: 64, primary: true }, value: { type: 'integer' } },
});

export interface HookSpec {
  atomic?: boolean;
  args?: Record<string, string>;
  run: HookCallback;
}

export interface TestProject {
  dir: string;
  database: DatabaseConfig;
  /** Writes `sql/<relative path>`. */
  writeSql(relative: string, text: string): void;
  config(options: {
    hooks?: Record<string, HookSpec>;
    jobs?: Record<
      string,
      Omit<JobConfig, 'name' | 'onError' | 'args'> & Partial<Pick<JobConfig, 'onError' | 'args'>>
    >;
    postponeJobs?: boolean;
    reindex?: Partial<HookdexConfig['advanced']['reindex']>;
    immuneTables?: string[];
    datasources?: HookdexConfig['datasources'];
    indexes?: HookdexConfig['indexes'];
    rollbackDepth?: number;
  }): HookdexConfig;
  /** Drops the PostgreSQL schema and removes the directory. */
  cleanup(): Promise<void>;
}

/** A project directory and a fresh database (a SQLite file, or a PostgreSQL schema of its own). */
export function createProject(kind: 'sqlite' | 'postgres'): TestProject {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookdex-core-'));
  // What `hookdex init` creates for the system hooks.
  for (const hook of ['on_reindex', 'on_restart', 'on_synchronized', 'on_index_rollback']) {
    mkdirSync(path.join(dir, 'sql', hook), { recursive: true });
    writeFileSync(path.join(dir, 'sql', hook, '.keep'), '');
  }
  const schema = `hookdex_test_${randomBytes(6).toString('hex')}`;
  const database: DatabaseConfig =
    kind === 'sqlite'
      ? { kind: 'sqlite', path: 'test.sqlite', immuneTables: [] }
      : {
          kind: 'postgres',
          url: process.env.DATABASE_URL,
          host: undefined,
          port: undefined,
          user: undefined,
          password: undefined,
          database: undefined,
          schema,
          immuneTables: [],
        };
  return {
    dir,
    database,
    writeSql(relative, text) {
      const file = path.join(dir, 'sql', relative);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    },
    config(options) {
      // Built as hookdex.yaml would say it, and validated by the same rules as a loaded file.
      const document: Record<string, unknown> = {
        database:
          database.kind === 'sqlite'
            ? { kind: 'sqlite', path: database.path, immune_tables: options.immuneTables ?? [] }
            : {
                kind: 'postgres',
                url: database.url,
                schema: database.schema,
                immune_tables: options.immuneTables ?? [],
              },
        datasources: Object.fromEntries(
          Object.entries(options.datasources ?? {}).map(([name, source]) => [
            name,
            { kind: source.kind, ...source.options },
          ]),
        ),
        indexes: Object.fromEntries(
          Object.entries(options.indexes ?? {}).map(([name, index]) => [
            name,
            {
              kind: index.kind,
              datasource: index.datasource,
              handlers: index.handlers.map((handler) => ({ callback: handler.callback, ...handler.match })),
              ...(index.firstLevel === undefined ? {} : { first_level: index.firstLevel }),
              ...(index.lastLevel === undefined ? {} : { last_level: index.lastLevel }),
              ...index.options,
            },
          ]),
        ),
        hooks: Object.fromEntries(
          Object.entries(options.hooks ?? {}).map(([name, spec]) => [
            name,
            { callback: name, atomic: spec.atomic ?? false, args: spec.args ?? {} },
          ]),
        ),
        jobs: Object.fromEntries(
          Object.entries(options.jobs ?? {}).map(([name, job]) => [
            name,
            {
              hook: job.hook,
              args: job.args ?? {},
              on_error: job.onError ?? 'stop',
              ...('crontab' in job.trigger
                ? { crontab: job.trigger.crontab }
                : 'interval' in job.trigger
                  ? { interval: job.trigger.interval }
                  : { daemon: true }),
            },
          ]),
        ),
        advanced: {
          postpone_jobs: options.postponeJobs ?? false,
          ...(options.rollbackDepth === undefined ? {} : { rollback_depth: options.rollbackDepth }),
          reindex: options.reindex ?? {},
        },
        logging: { level: 'error' },
      };
      return parseConfig(document, { projectDir: dir });
    },
    async cleanup() {
      if (kind === 'postgres') {
        const admin = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
        await admin.initialize();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.destroy();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A hookdex instance of its own container, with the hooks' callbacks registered. */
export function createApp(
  config: HookdexConfig,
  options: {
    hooks?: Record<string, HookCallback>;
    time?: FakeTime;
    entities?: EntitySchema[];
    handlers?: Record<string, HandlerCallback>;
    datasources?: Record<string, DatasourceFactory>;
    indexKinds?: Record<string, IndexKind>;
  } = {},
) {
  const registry = new HookRegistry();
  for (const [name, callback] of Object.entries(options.hooks ?? {})) registry.register(name, callback);
  const handlers = new HandlerRegistry();
  for (const [name, callback] of Object.entries(options.handlers ?? {})) handlers.register(name, callback);
  const child = registerCore(container.createChildContainer(), {
    config,
    hooks: registry,
    entities: options.entities ?? [CounterEntity],
    handlers,
    datasources: options.datasources ?? {},
    indexKinds: options.indexKinds ?? {},
    logger: createLogger({
      level: 'error',
      stream: new Writable({ write: (_chunk, _encoding, done) => done() }),
    }),
    ...(options.time === undefined ? {} : { scheduler: { clock: options.time, timers: options.time } }),
  });
  const app = child.resolve(HookdexApp);
  return { app, transactions: child.resolve(TransactionManager), container: child };
}

/** Hooks of a spec map as callbacks. */
export function callbacks(hooks: Record<string, HookSpec>): Record<string, HookCallback> {
  return Object.fromEntries(Object.entries(hooks).map(([name, spec]) => [name, spec.run]));
}

/** Rows of `counter`, as `key=value` strings sorted by key. */
export async function counters(app: HookdexApp): Promise<string[]> {
  const rows: Array<{ key: string; value: number | string }> = await app.dataSource.query(
    'SELECT key, value FROM counter ORDER BY key',
  );
  return rows.map((row) => `${row.key}=${Number(row.value)}`);
}

export { FakeTime };
