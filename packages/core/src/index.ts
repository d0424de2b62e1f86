export type { ArgType, ExternalTypes, TypeMismatch } from './config/arg-types.js';
export {
  ArgTypeSyntaxError,
  checkValue,
  describeType,
  formatArgType,
  isOptional,
  KNOWN_TYPE_NAMES,
  parseArgType,
} from './config/arg-types.js';
export { coerceConfigValue } from './config/coerce-value.js';
export { INTERNAL_TABLE_PREFIX } from './config/config-names.js';
export { configJsonSchema } from './config/config-schema.js';
export type {
  AdvancedConfig,
  DatabaseConfig,
  DatasourceConfig,
  HookArgumentConfig,
  HookConfig,
  HookdexConfig,
  IndexConfig,
  IndexHandlerConfig,
  JobConfig,
  JobTriggerConfig,
  LoggingConfig,
  PostgresDatabaseConfig,
  ReindexAction,
  SchedulerConfig,
  SqliteDatabaseConfig,
} from './config/config-types.js';
export { didYouMean } from './config/did-you-mean.js';
export type { ConfigSource, LoadConfigOptions, ReadConfigSourceOptions } from './config/load-config.js';
export { loadConfig, parseConfig, readConfigSource } from './config/load-config.js';
export { loadExternalTypes } from './config/load-external-types.js';
export type { EnvironmentVariableUse } from './config/substitute-environment.js';
export type { FireHookOptions } from './context/base-context.js';
export { BaseContext } from './context/base-context.js';
export { HandlerContext } from './context/handler-context.js';
export { HookContext, type JobFire } from './context/hook-context.js';
export type { EntityList } from './database/create-data-source.js';
export { createDataSource } from './database/create-data-source.js';
export { ReindexService } from './database/reindex-service.js';
export { schemaHash } from './database/schema-hash.js';
export type { SchemaObject, SchemaRecord } from './database/schema-manager.js';
export { SchemaManager } from './database/schema-manager.js';
export type { CoreRegistration } from './di/register-core.js';
export { registerCore } from './di/register-core.js';
export type { LevelObserver } from './di/tokens.js';
export {
  CONFIG,
  DATA_SOURCE,
  DATASOURCE_KINDS,
  EXTERNAL_TYPES,
  INDEX_KINDS,
  LEVEL_OBSERVER,
  LOGGER,
  SCHEDULER_OPTIONS,
} from './di/tokens.js';
export type { ConfigurationProblem, ReindexingReason } from './errors/errors.js';
export {
  CallbackError,
  CallbackTypeError,
  ConfigurationError,
  InitializationRequiredError,
  JobFailedError,
  ReindexingRequiredError,
  RestartRequiredError,
} from './errors/errors.js';
export type { HookdexErrorCode } from './errors/hookdex-error.js';
export { HookdexError, toError } from './errors/hookdex-error.js';
export { HookManager } from './hooks/hook-manager.js';
export type { HookCallback } from './hooks/hook-registry.js';
export { HookRegistry } from './hooks/hook-registry.js';
export type {
  FireHookArguments,
  HookdexRegister,
  HookName,
  RegisteredHooks,
} from './hooks/hookdex-register.js';
export type { IndexRollbackArgs, SystemHookName } from './hooks/system-hooks.js';
export { isSystemHook, SYSTEM_HOOK_NAMES, SYSTEM_HOOKS } from './hooks/system-hooks.js';
export { JobManager } from './jobs/job-manager.js';
export type { JournalEntry, JournalOptions } from './journal/journal.js';
export { Journal } from './journal/journal.js';
export { HookdexApp } from './lifecycle/hookdex-app.js';
export { Shutdown } from './lifecycle/shutdown.js';
export type { CreateLoggerOptions } from './logging/create-logger.js';
export { createLogger } from './logging/create-logger.js';
export type { LogFields, Logger, LogLevel } from './logging/logger.js';
export type { HookdexProject } from './project/define-project.js';
export { defineProject } from './project/define-project.js';
export type {
  Datasource,
  DatasourceEvent,
  DatasourceFactory,
  Level,
  StreamOptions,
} from './runtime/datasource.js';
export type { HandlerCallback } from './runtime/handler-registry.js';
export { HandlerRegistry } from './runtime/handler-registry.js';
export { hashIndexConfig } from './runtime/hash-index-config.js';
export type { IndexKind } from './runtime/index-kind.js';
export { fieldMatchIndexKind } from './runtime/index-kind.js';
export type { IndexState, IndexStatus } from './runtime/index-state-store.js';
export { DEFAULT_ROLLBACK_DEPTH } from './runtime/indexing-runtime.js';
export type { RuntimeControl } from './runtime/runtime-link.js';
export type { AfterCommitTask, TransactionFrame } from './transactions/transaction-manager.js';
export { TransactionManager } from './transactions/transaction-manager.js';
