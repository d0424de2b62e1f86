import path from 'node:path';
import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';
import type { DatabaseConfig } from '../config/config-types.js';

// biome-ignore lint/complexity/noBannedTypes: TypeORM takes entity classes as plain functions.
export type EntityList = MixedList<Function | string | EntitySchema>;

/**
 * A TypeORM DataSource for the configured database: better-sqlite3 for `sqlite` (a path relative to
 * the project directory, or `:memory:`), pg for `postgres` with every connection's `search_path`
 * set to the configured schema, so SQL scripts and hooks can use unqualified table names.
 */
export function createDataSource(options: {
  database: DatabaseConfig;
  projectDir: string;
  entities?: EntityList;
}): DataSource {
  const { database, projectDir } = options;
  const entities = options.entities ?? [];
  let dataSourceOptions: DataSourceOptions;
  if (database.kind === 'sqlite') {
    dataSourceOptions = {
      type: 'better-sqlite3',
      database: database.path === ':memory:' ? ':memory:' : path.resolve(projectDir, database.path),
      entities,
      synchronize: false,
      // NOTE: WAL with synchronous=NORMAL: a commit survives a crash of the process (not a power
      // loss of the machine), at a fraction of the default's fsync per transaction.
      enableWAL: database.path !== ':memory:',
      prepareDatabase: (db: { pragma(statement: string): unknown }) => {
        db.pragma('synchronous = NORMAL');
      },
    };
  } else {
    dataSourceOptions = {
      type: 'postgres',
      ...(database.url === undefined ? {} : { url: database.url }),
      ...(database.host === undefined ? {} : { host: database.host }),
      ...(database.port === undefined ? {} : { port: database.port }),
      ...(database.user === undefined ? {} : { username: database.user }),
      ...(database.password === undefined ? {} : { password: database.password }),
      ...(database.database === undefined ? {} : { database: database.database }),
      schema: database.schema,
      entities,
      synchronize: false,
      extra: { options: `-c search_path=${quoteIdentifier(database.schema)}` },
    };
  }
  return new DataSource(dataSourceOptions);
}

/** A PostgreSQL identifier, double-quoted. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
