import { headWords } from '../scan/scan-script.js';
import type { PreparedStatement, QueryLog } from './prepared-statement.js';
import { statementFailed } from './statement-failed.js';

/** The part of a pg `Client` the runner uses. */
export interface PostgresClient {
  query(text: string, values?: unknown[]): Promise<unknown>;
  /** pg >= 8.12: `'I'` idle, `'T'` in a transaction block, `'E'` in a failed one. */
  getTransactionStatus?(): string | null;
}

/** True for a pg `Client`/`PoolClient` (what TypeORM's postgres QueryRunner connects to). */
export function isPostgresClient(connection: unknown): connection is PostgresClient {
  return (
    typeof connection === 'object' &&
    connection !== null &&
    typeof (connection as Partial<PostgresClient>).query === 'function'
  );
}

/** Options of `executeOnPostgres`. */
export interface PostgresExecution {
  /** Send runs of parameterless statements in one simple-query round trip. */
  readonly batch: boolean;
  readonly log: QueryLog;
}

const SAVEPOINT = 'hookdex_sql_runner_batch';

/**
 * First words of statements that never join a batch, because a transaction block changes what they
 * do (transaction control, LOCK, SET LOCAL, cursors), because they refuse to run in one (VACUUM,
 * CREATE DATABASE, ... CONCURRENTLY), or because they may commit themselves (CALL, DO).
 */
const ALONE = new Set([
  'ABORT',
  'BEGIN',
  'CALL',
  'CHECKPOINT',
  'CLUSTER',
  'COMMIT',
  'DECLARE',
  'DISCARD',
  'DO',
  'END',
  'LOCK',
  'PREPARE',
  'REINDEX',
  'RELEASE',
  'RESET',
  'ROLLBACK',
  'SAVEPOINT',
  'SET',
  'START',
  'VACUUM',
]);
const ALONE_OBJECTS = new Set(['DATABASE', 'TABLESPACE', 'SUBSCRIPTION', 'SYSTEM', 'CONCURRENTLY']);

/** Whether a statement may share a round trip with its neighbours. */
export function isBatchable(statement: PreparedStatement): boolean {
  if (statement.values !== undefined) return false;
  const head = headWords(statement.statement);
  const [first] = head;
  if (first === undefined || ALONE.has(first)) return false;
  return !head.some((word) => ALONE_OBJECTS.has(word));
}

/**
 * Runs statements on a pg client. Parameterised statements go alone through the extended protocol.
 * Runs of parameterless statements go in one simple-query message, as the driver runs a whole
 * script: PostgreSQL then runs them as one implicit transaction (inside the caller's transaction,
 * under a savepoint). If that batch fails, it is rolled back and its statements are run again one by
 * one, so the statement that fails is named exactly and, without an enclosing transaction, the
 * statements before it stay applied, as if they had been sent one by one from the start.
 */
export async function executeOnPostgres(
  client: PostgresClient,
  statements: readonly PreparedStatement[],
  execution: PostgresExecution,
): Promise<void> {
  let index = 0;
  while (index < statements.length) {
    let end = index;
    if (execution.batch) {
      while (end < statements.length && isBatchable(statements[end] as PreparedStatement)) end++;
    }
    if (end - index >= 2) {
      await runBatch(client, statements.slice(index, end), execution.log);
      index = end;
    } else {
      await runOne(client, statements[index] as PreparedStatement, execution.log);
      index++;
    }
  }
}

async function runBatch(
  client: PostgresClient,
  batch: readonly PreparedStatement[],
  log: QueryLog,
): Promise<void> {
  const status = client.getTransactionStatus?.() ?? null;
  // NOTE: with an unknown or already failed transaction there is nothing safe to roll back to.
  if (status === 'I' || status === 'T') {
    const body = batch.map((statement) => statement.text).join(';\n');
    const text = status === 'T' ? `SAVEPOINT ${SAVEPOINT};\n${body};\nRELEASE SAVEPOINT ${SAVEPOINT}` : body;
    log.query(text, undefined);
    try {
      await client.query(text);
      return;
    } catch {
      // NOTE: outside a transaction the implicit one is already rolled back; inside, go back to the
      // savepoint. If even that fails, the one-by-one run below reports the statement it fails on.
      if (status === 'T') {
        await client
          .query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}; RELEASE SAVEPOINT ${SAVEPOINT}`)
          .catch(() => {});
      }
    }
  }
  for (const statement of batch) await runOne(client, statement, log);
}

async function runOne(client: PostgresClient, statement: PreparedStatement, log: QueryLog): Promise<void> {
  log.query(statement.text, statement.values);
  try {
    await client.query(statement.text, statement.values as unknown[] | undefined);
  } catch (error) {
    log.failed(error, statement.text, statement.values);
    throw statementFailed(statement, error);
  }
}
