import path from 'node:path';
import type { SchedulerOptions } from '@hookdex/scheduler';
import { SqlRunner } from '@hookdex/sql-runner';
import { type DependencyContainer, Lifecycle } from 'tsyringe';
import type { DataSource } from 'typeorm';
import type { ExternalTypes } from '../config/arg-types.js';
import type { HookdexConfig } from '../config/config-types.js';
import { createDataSource, type EntityList } from '../database/create-data-source.js';
import { ReindexService } from '../database/reindex-service.js';
import { SchemaManager } from '../database/schema-manager.js';
import { HookManager } from '../hooks/hook-manager.js';
import { HookRegistry } from '../hooks/hook-registry.js';
import { JobManager } from '../jobs/job-manager.js';
import { HookdexApp } from '../lifecycle/hookdex-app.js';
import { Shutdown } from '../lifecycle/shutdown.js';
import { createLogger } from '../logging/create-logger.js';
import type { Logger } from '../logging/logger.js';
import type { DatasourceFactory } from '../runtime/datasource.js';
import { HandlerRegistry } from '../runtime/handler-registry.js';
import type { IndexKind } from '../runtime/index-kind.js';
import { RuntimeLink } from '../runtime/runtime-link.js';
import { TransactionManager } from '../transactions/transaction-manager.js';
import {
  CONFIG,
  DATA_SOURCE,
  DATASOURCE_KINDS,
  EXTERNAL_TYPES,
  INDEX_KINDS,
  LEVEL_OBSERVER,
  type LevelObserver,
  LOGGER,
  SCHEDULER_OPTIONS,
} from './tokens.js';

export interface CoreRegistration {
  config: HookdexConfig;
  /** Hook callbacks; system hooks without one run their `sql/` directory. */
  hooks?: HookRegistry;
  /** The project's models (TypeORM entities), used when `dataSource` is not given. */
  entities?: EntityList;
  /** Default: one made from `config.database` with `entities`. */
  dataSource?: DataSource;
  /** Default: `createLogger(config.logging)`. */
  logger?: Logger;
  /** Classes of `module:Export` argument types (see `loadExternalTypes`). */
  externals?: ExternalTypes;
  /** A fake clock and timers for the job scheduler (tests). */
  scheduler?: Pick<SchedulerOptions, 'clock' | 'timers'>;
  /** Index handler callbacks. */
  handlers?: HandlerRegistry;
  /** Datasource kinds the project brings (`evm.node`). */
  datasources?: Readonly<Record<string, DatasourceFactory>>;
  /** Index kinds the project brings. */
  indexKinds?: Readonly<Record<string, IndexKind>>;
  /** Called for every level processed (progress output). */
  onLevel?: LevelObserver;
}

/**
 * Registers hookdex core into `container` (pass a child container: one per hookdex instance).
 * Resolve `HookdexApp` from it in the composition root (the CLI, an app, a test).
 */
export function registerCore(
  container: DependencyContainer,
  registration: CoreRegistration,
): DependencyContainer {
  const { config } = registration;
  const dataSource =
    registration.dataSource ??
    createDataSource({
      database: config.database,
      projectDir: config.projectDir,
      entities: registration.entities,
    });
  container.register(CONFIG, { useValue: config });
  container.register(DATA_SOURCE, { useValue: dataSource });
  container.register(LOGGER, { useValue: registration.logger ?? createLogger(config.logging) });
  container.register(EXTERNAL_TYPES, { useValue: registration.externals ?? new Map() });
  container.register(SCHEDULER_OPTIONS, { useValue: registration.scheduler ?? {} });
  container.register(HookRegistry, { useValue: registration.hooks ?? new HookRegistry() });
  container.register(HandlerRegistry, { useValue: registration.handlers ?? new HandlerRegistry() });
  container.register(DATASOURCE_KINDS, { useValue: registration.datasources ?? {} });
  container.register(INDEX_KINDS, { useValue: registration.indexKinds ?? {} });
  container.register(LEVEL_OBSERVER, { useValue: registration.onLevel ?? (() => {}) });
  container.register(SqlRunner, {
    useValue: new SqlRunner({ root: path.join(config.projectDir, 'sql'), dataSource }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tsyringe's own constructor type takes any arguments.
  const services: Array<new (...args: any[]) => unknown> = [
    Shutdown,
    RuntimeLink,
    TransactionManager,
    SchemaManager,
    ReindexService,
    HookManager,
    JobManager,
    HookdexApp,
  ];
  for (const service of services) {
    container.register(service, { useClass: service }, { lifecycle: Lifecycle.ContainerScoped });
  }
  return container;
}
