import { SqlRunnerError } from './errors.js';

/** The SQL dialects the splitter and the parameter binder understand. */
export type Dialect = 'postgres' | 'sqlite';

/** TypeORM `type` values this package runs on, and the dialect each one speaks. */
const DIALECT_BY_TYPE: Readonly<Record<string, Dialect>> = {
  postgres: 'postgres',
  'better-sqlite3': 'sqlite',
  sqlite: 'sqlite',
};

/** Maps a TypeORM DataSource `type` to a dialect; anything else is `UNSUPPORTED_DIALECT`. */
export function dialectOfType(type: unknown): Dialect {
  const dialect = typeof type === 'string' ? DIALECT_BY_TYPE[type] : undefined;
  if (dialect === undefined) {
    throw new SqlRunnerError(
      'UNSUPPORTED_DIALECT',
      `Expected a DataSource of type ${Object.keys(DIALECT_BY_TYPE)
        .map((name) => `'${name}'`)
        .join(', ')}, found type ${JSON.stringify(type)}. ` +
        'The SQL runner splits and binds scripts per dialect and knows only these; use one of them.',
    );
  }
  return dialect;
}

/** Checks a dialect passed by a caller of the standalone functions. */
export function assertDialect(dialect: unknown, where: string): asserts dialect is Dialect {
  if (dialect !== 'postgres' && dialect !== 'sqlite') {
    throw new SqlRunnerError(
      'UNSUPPORTED_DIALECT',
      `${where}: expected dialect 'postgres' or 'sqlite', found ${JSON.stringify(dialect)}.`,
    );
  }
}
