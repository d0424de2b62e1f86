import type { ArgType } from './arg-types.js';

/** What `hookdex.yaml` says after loading, substitution, merging and validation. */
export interface HookdexConfig {
  /** The files it was loaded from, in order (later ones override earlier ones). */
  readonly files: readonly string[];
  /** The project directory: the directory of the first file. Relative paths resolve against it. */
  readonly projectDir: string;
  readonly database: DatabaseConfig;
  readonly datasources: Readonly<Record<string, DatasourceConfig>>;
  readonly indexes: Readonly<Record<string, IndexConfig>>;
  /** User hooks by name (system hooks are not here; see `SYSTEM_HOOKS`). */
  readonly hooks: Readonly<Record<string, HookConfig>>;
  readonly jobs: Readonly<Record<string, JobConfig>>;
  readonly advanced: AdvancedConfig;
  readonly logging: LoggingConfig;
  /** Environment variables the files reference, with the value used (defaults applied). */
  readonly environment: Readonly<Record<string, { value: string | undefined; default: string | undefined }>>;
}

export type DatabaseConfig = SqliteDatabaseConfig | PostgresDatabaseConfig;

export interface SqliteDatabaseConfig {
  readonly kind: 'sqlite';
  /** File path (relative to the project directory) or `:memory:`. Default `hookdex.sqlite`. */
  readonly path: string;
  readonly immuneTables: readonly string[];
}

export interface PostgresDatabaseConfig {
  readonly kind: 'postgres';
  /** A connection URL; when given, the fields below override its parts. */
  readonly url: string | undefined;
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly database: string | undefined;
  /** Schema (namespace) for every table. Default `public`. */
  readonly schema: string;
  readonly immuneTables: readonly string[];
}

/** A datasource: its `kind` and the kind's own options (checked by the kind when it is created). */
export interface DatasourceConfig {
  readonly kind: string;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface IndexHandlerConfig {
  /** Handler callback name (snake_case, dots for nesting): `handlers/<path>.ts`. */
  readonly callback: string;
  /** What the handler matches, as the index kind defines it. */
  readonly match: Readonly<Record<string, unknown>>;
}

export interface IndexConfig {
  readonly kind: string;
  readonly datasource: string;
  readonly handlers: readonly IndexHandlerConfig[];
  readonly firstLevel: number | undefined;
  readonly lastLevel: number | undefined;
  /** The kind's other options. */
  readonly options: Readonly<Record<string, unknown>>;
}

export interface HookArgumentConfig {
  readonly name: string;
  /** The type string as written, e.g. `Optional[int]`. */
  readonly typeName: string;
  readonly type: ArgType;
}

export interface HookConfig {
  readonly name: string;
  readonly callback: string;
  readonly atomic: boolean;
  /** Declared arguments in the order written. */
  readonly args: readonly HookArgumentConfig[];
}

export type JobTriggerConfig =
  | { readonly crontab: string }
  | { readonly interval: number }
  | { readonly daemon: true };

export interface JobConfig {
  readonly name: string;
  readonly hook: string;
  /** Arguments after coercion to the hook's declared types (e.g. `Decimal`, `bigint`, `Date`). */
  readonly args: Readonly<Record<string, unknown>>;
  readonly trigger: JobTriggerConfig;
  /** `stop` (default, as DipDup): a failing job stops the process; `log`: log it and keep the schedule. */
  readonly onError: 'stop' | 'log';
}

export type ReindexAction = 'exception' | 'wipe' | 'ignore';

export interface SchedulerConfig {
  readonly coalesce: boolean;
  readonly maxInstances: number;
  /** Seconds; null for no limit. */
  readonly misfireGraceTime: number | null;
  readonly timezone: string;
  /** `memory`: each process fires every job; `database` (PostgreSQL): the processes share the jobs. */
  readonly jobStore: 'memory' | 'database';
}

export interface AdvancedConfig {
  readonly scheduler: SchedulerConfig;
  readonly postponeJobs: boolean;
  /** Levels kept in the journal; undefined: derived from the datasources. */
  readonly rollbackDepth: number | undefined;
  readonly reindex: Readonly<
    Record<'manual' | 'migration' | 'rollback' | 'config_modified' | 'schema_modified', ReindexAction>
  >;
}

export interface LoggingConfig {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly format: 'pretty' | 'json';
}
