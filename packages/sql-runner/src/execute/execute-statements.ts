import type { QueryRunner } from 'typeorm';
import type { Dialect } from '../dialect.js';
import { executeOnBetterSqlite3, isBetterSqlite3Database } from './execute-on-better-sqlite3.js';
import { executeOnPostgres, isPostgresClient } from './execute-on-postgres.js';
import { executeOnQueryRunner } from './execute-on-query-runner.js';
import type { PreparedStatement, QueryLog } from './prepared-statement.js';

/** How `executeStatements` runs. */
export interface Execution {
  readonly dialect: Dialect;
  /** PostgreSQL: batch runs of parameterless statements (see `executeOnPostgres`). */
  readonly batch: boolean;
}

/**
 * Runs statements on the QueryRunner's own connection, so they join whatever transaction is open on
 * it. NOTE: the driver connection is used directly (better-sqlite3, pg) because TypeORM's `query()`
 * costs ~6 µs per statement and sends one statement per round trip, which puts a 1,000-statement
 * script at 4x (SQLite) to 16x (PostgreSQL) the driver's own time. Other drivers go through `query()`.
 */
export async function executeStatements(
  queryRunner: QueryRunner,
  statements: readonly PreparedStatement[],
  execution: Execution,
): Promise<void> {
  if (statements.length === 0) return;
  const connection: unknown = await queryRunner.connect();
  const log = queryLogOf(queryRunner);
  if (execution.dialect === 'sqlite' && isBetterSqlite3Database(connection)) {
    executeOnBetterSqlite3(connection, statements, log);
  } else if (execution.dialect === 'postgres' && isPostgresClient(connection)) {
    await executeOnPostgres(connection, statements, { batch: execution.batch, log });
  } else {
    await executeOnQueryRunner(queryRunner, statements);
  }
}

function queryLogOf(queryRunner: QueryRunner): QueryLog {
  const logger = queryRunner.connection.logger;
  return {
    query: (text, values) => logger.logQuery(text, values as unknown[] | undefined, queryRunner),
    failed: (error, text, values) =>
      logger.logQueryError(
        error instanceof Error ? error : String(error),
        text,
        values as unknown[] | undefined,
        queryRunner,
      ),
  };
}
