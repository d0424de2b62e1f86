import { parseArgType } from './arg-types.js';
import { coerceJobArguments } from './check-job-arguments.js';
import type { ConfigDocumentOutput } from './config-schema.js';
import type {
  AdvancedConfig,
  DatabaseConfig,
  DatasourceConfig,
  HookConfig,
  HookdexConfig,
  IndexConfig,
  JobConfig,
  JobTriggerConfig,
} from './config-types.js';

/** Where the document came from, for the parts of `HookdexConfig` that are not in it. */
export interface ConfigSource {
  readonly files: readonly string[];
  readonly projectDir: string;
  readonly environment: HookdexConfig['environment'];
}

/** Maps a validated document (snake_case, defaults applied) to `HookdexConfig` (camelCase). */
export function buildConfig(document: ConfigDocumentOutput, source: ConfigSource): HookdexConfig {
  const hooks = mapValues(
    document.hooks,
    (hook, name): HookConfig => ({
      name,
      callback: hook.callback,
      atomic: hook.atomic,
      args: Object.entries(hook.args).map(([argument, typeName]) => ({
        name: argument,
        typeName,
        type: parseArgType(typeName),
      })),
    }),
  );
  const jobs = mapValues(document.jobs, (job, name): JobConfig => {
    const declared = hooks[job.hook]?.args ?? [];
    return {
      name,
      hook: job.hook,
      args: coerceJobArguments(declared, job.args),
      trigger: triggerOf(job),
      onError: job.on_error,
    };
  });
  return {
    files: source.files,
    projectDir: source.projectDir,
    database: databaseOf(document.database),
    datasources: mapValues(
      document.datasources,
      ({ kind, ...options }): DatasourceConfig => ({ kind, options }),
    ),
    indexes: mapValues(
      document.indexes,
      ({ kind, datasource, handlers, first_level, last_level, ...options }): IndexConfig => ({
        kind,
        datasource,
        handlers: handlers.map(({ callback, ...match }) => ({ callback, match })),
        firstLevel: first_level ?? undefined,
        lastLevel: last_level ?? undefined,
        options,
      }),
    ),
    hooks,
    jobs,
    advanced: advancedOf(document.advanced),
    logging: { level: document.logging.level, format: document.logging.format },
    environment: source.environment,
  };
}

function databaseOf(database: ConfigDocumentOutput['database']): DatabaseConfig {
  if (database.kind === 'sqlite') {
    return { kind: 'sqlite', path: database.path, immuneTables: database.immune_tables };
  }
  return {
    kind: 'postgres',
    url: database.url ?? undefined,
    host: database.host ?? undefined,
    port: database.port ?? undefined,
    user: database.user ?? undefined,
    password: database.password ?? undefined,
    database: database.database ?? undefined,
    schema: database.schema,
    immuneTables: database.immune_tables,
  };
}

function triggerOf(job: ConfigDocumentOutput['jobs'][string]): JobTriggerConfig {
  if (job.crontab !== undefined && job.crontab !== null) return { crontab: job.crontab };
  if (job.interval !== undefined && job.interval !== null) return { interval: job.interval };
  return { daemon: true };
}

function advancedOf(advanced: ConfigDocumentOutput['advanced']): AdvancedConfig {
  const scheduler = advanced.scheduler;
  const reindex = advanced.reindex;
  return {
    scheduler: {
      coalesce: scheduler['apscheduler.job_defaults.coalesce'],
      maxInstances: scheduler['apscheduler.job_defaults.max_instances'],
      misfireGraceTime: scheduler['apscheduler.job_defaults.misfire_grace_time'],
      timezone: scheduler['apscheduler.timezone'],
      jobStore: scheduler['apscheduler.jobstores.default.type'],
    },
    postponeJobs: advanced.postpone_jobs,
    rollbackDepth: advanced.rollback_depth ?? undefined,
    reindex: {
      manual: reindex.manual ?? 'exception',
      migration: reindex.migration ?? 'exception',
      rollback: reindex.rollback ?? 'exception',
      config_modified: reindex.config_modified ?? 'exception',
      schema_modified: reindex.schema_modified ?? 'exception',
    },
  };
}

function mapValues<T, R>(record: Record<string, T>, map: (value: T, key: string) => R): Record<string, R> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value, key)]));
}
