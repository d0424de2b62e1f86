import {
  DATA_SOURCE,
  type DatabaseConfig,
  type ExternalTypes,
  HookdexApp,
  type HookdexConfig,
  HookdexError,
  type Logger,
  registerCore,
  SchemaManager,
} from '@hookdex/core';
import { container } from 'tsyringe';
import type { DataSource } from 'typeorm';
import { messageOf } from '../errors/format-error.js';
import { maskUrlPasswords } from '../output/mask-secrets.js';
import type { LoadedProject } from '../project/load-project.js';

/** The parts of a composed hookdex instance the commands use. */
export interface ComposedApp {
  readonly app: HookdexApp;
  readonly schema: SchemaManager;
  readonly dataSource: DataSource;
}

/**
 * The composition root: one child container per command with hookdex core registered, the
 * project's code (when loaded: hooks, handlers, entities, datasource and index kinds) and the
 * classes of `module:Export` argument types.
 */
export function composeApp(options: {
  config: HookdexConfig;
  logger: Logger;
  project?: LoadedProject;
  externals?: ExternalTypes;
}): ComposedApp {
  const child = registerCore(container.createChildContainer(), {
    config: options.config,
    logger: options.logger,
    ...(options.project === undefined
      ? {}
      : {
          hooks: options.project.hooks,
          entities: options.project.entities,
          handlers: options.project.handlers,
          datasources: options.project.datasources,
          indexKinds: options.project.indexKinds,
        }),
    ...(options.externals === undefined ? {} : { externals: options.externals }),
  });
  return {
    app: child.resolve(HookdexApp),
    schema: child.resolve(SchemaManager),
    dataSource: child.resolve<DataSource>(DATA_SOURCE),
  };
}

/**
 * Connects and creates hookdex's own table. A database that cannot be reached is a `DATABASE`
 * error that names it (password masked); its cause decides the exit code (75 when transient).
 */
export async function connectDatabase(schema: SchemaManager, config: HookdexConfig): Promise<void> {
  try {
    await schema.prepare();
  } catch (error) {
    throw new HookdexError(
      'DATABASE',
      `Could not connect to ${describeDatabase(config.database)}: ${messageOf(error)}`,
      { cause: error },
    );
  }
}

/** The database as messages name it, without its password. */
export function describeDatabase(database: DatabaseConfig): string {
  if (database.kind === 'sqlite') return `the SQLite database ${database.path}`;
  const where =
    database.url === undefined
      ? `postgres://${database.user ?? ''}${database.user ? '@' : ''}${database.host ?? 'localhost'}:${database.port ?? 5432}/${database.database ?? ''}`
      : maskUrlPasswords(database.url);
  return `the PostgreSQL database ${where} (schema ${database.schema})`;
}
