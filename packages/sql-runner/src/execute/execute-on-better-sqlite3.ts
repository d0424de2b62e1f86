import type { PreparedStatement, QueryLog } from './prepared-statement.js';
import { statementFailed } from './statement-failed.js';

/** The part of a better-sqlite3 `Database` the runner uses. */
export interface BetterSqlite3Database {
  exec(sql: string): unknown;
  prepare(sql: string): { run(...values: unknown[]): unknown };
  readonly inTransaction: boolean;
}

/** True for a better-sqlite3 `Database` (what TypeORM's better-sqlite3 QueryRunner connects to). */
export function isBetterSqlite3Database(connection: unknown): connection is BetterSqlite3Database {
  const candidate = connection as Partial<BetterSqlite3Database> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.exec === 'function' &&
    typeof candidate.prepare === 'function' &&
    typeof candidate.inTransaction === 'boolean'
  );
}

/**
 * Runs statements one by one on the connection, synchronously: `exec` for parameterless ones (the
 * driver's fastest path), a prepared statement for the others. Like better-sqlite3's own `exec`,
 * each statement commits on its own unless a transaction is open on the connection.
 */
export function executeOnBetterSqlite3(
  database: BetterSqlite3Database,
  statements: readonly PreparedStatement[],
  log: QueryLog,
): void {
  for (const statement of statements) {
    log.query(statement.text, statement.values);
    try {
      if (statement.values === undefined) database.exec(statement.text);
      else database.prepare(statement.text).run(...statement.values);
    } catch (error) {
      log.failed(error, statement.text, statement.values);
      throw statementFailed(statement, error);
    }
  }
}
