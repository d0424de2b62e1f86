/** Runs one SQL statement with `$1`-style parameters and returns its rows. */
export type SqlQuery = (sql: string, params?: readonly unknown[]) => Promise<Array<Record<string, unknown>>>;

/**
 * The tiny port `PostgresJobStore` talks to the database through, so `@hookdex/scheduler` needs no
 * database driver of its own. `pgPoolPort` and `typeormPort` adapt a `pg` Pool and a TypeORM
 * `DataSource`; anything that can run parameterised SQL in a transaction can implement it.
 */
export interface SqlPort {
  /** Runs one statement in autocommit. */
  query: SqlQuery;
  /** Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (query: SqlQuery) => Promise<T>): Promise<T>;
  /**
   * Optional: calls `onNotify` for every notification on `channel`, from a dedicated connection,
   * and `onError` when that connection breaks. Without it the store is polled.
   */
  listen?(
    channel: string,
    onNotify: () => void,
    onError: (error: Error) => void,
  ): Promise<() => Promise<void>>;
}

/** The part of a `pg` client this package uses. */
export interface PgClientLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  release(error?: Error | boolean): void;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  // NOTE: `unknown[]`, not `never[]`: pg's own `(...args: any[])` listener is then assignable, so a real
  // `pg.Pool` type-checks as a `PgPoolLike`.
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** The part of a `pg` Pool this package uses. */
export interface PgPoolLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  connect(): Promise<PgClientLike>;
}

/** A `SqlPort` over a `pg` Pool (`new pg.Pool(...)`), with LISTEN on a dedicated pooled client. */
export function pgPoolPort(pool: PgPoolLike): SqlPort {
  return {
    query: async (sql, params) => (await pool.query(sql, params as unknown[] | undefined)).rows,
    transaction: async (work) => {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(
          async (sql, params) => (await client.query(sql, params as unknown[] | undefined)).rows,
        );
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection is gone; do not give it back to the pool.
          broken = rollbackError as Error;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    listen: (channel, onNotify, onError) => listenOn(() => pool.connect(), channel, onNotify, onError),
  };
}

/** The part of a TypeORM `QueryRunner` this package uses. */
export interface TypeormQueryRunnerLike {
  connect(): Promise<unknown>;
  startTransaction(): Promise<void>;
  commitTransaction(): Promise<void>;
  rollbackTransaction(): Promise<void>;
  /** With `structured`, TypeORM answers `{ records, affected }` for every kind of statement. */
  query(sql: string, params?: unknown[], structured?: boolean): Promise<unknown>;
  release(): Promise<void>;
}

/** The part of a TypeORM `DataSource` (PostgreSQL driver) this package uses. */
export interface TypeormDataSourceLike {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  createQueryRunner(): TypeormQueryRunnerLike;
  readonly driver: unknown;
}

/**
 * A `SqlPort` over a TypeORM `DataSource` on PostgreSQL. Transactions use a `QueryRunner`;
 * notifications use a client of the driver's own `pg` pool (polling only if it has none).
 */
export function typeormPort(dataSource: TypeormDataSourceLike): SqlPort {
  // NOTE: TypeORM's PostgreSQL `query()` answers UPDATE and DELETE with `[rows, rowCount]`, every
  // other statement with the rows (objects, never arrays); asked for a structured result, it
  // answers `{ records }` for all of them. Both shapes are read, for runners that ignore the flag.
  const rowsOf = (result: unknown): Array<Record<string, unknown>> => {
    const records = (result as { records?: unknown } | null)?.records;
    if (Array.isArray(records)) return records as Array<Record<string, unknown>>;
    if (!Array.isArray(result)) return [];
    if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
      return result[0] as Array<Record<string, unknown>>;
    }
    return result as Array<Record<string, unknown>>;
  };
  const port: SqlPort = {
    query: async (sql, params) => rowsOf(await dataSource.query(sql, params as unknown[] | undefined)),
    transaction: async (work) => {
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        try {
          const result = await work(async (sql, params) =>
            rowsOf(await runner.query(sql, params as unknown[] | undefined, true)),
          );
          await runner.commitTransaction();
          return result;
        } catch (error) {
          await runner.rollbackTransaction().catch(() => undefined);
          throw error;
        }
      } finally {
        await runner.release();
      }
    },
  };
  const master = (dataSource.driver as { master?: Partial<PgPoolLike> } | undefined)?.master;
  if (master !== undefined && typeof master.connect === 'function') {
    const pool = master as PgPoolLike;
    port.listen = (channel, onNotify, onError) => listenOn(() => pool.connect(), channel, onNotify, onError);
  }
  return port;
}

async function listenOn(
  connect: () => Promise<PgClientLike>,
  channel: string,
  onNotify: () => void,
  onError: (error: Error) => void,
): Promise<() => Promise<void>> {
  const client = await connect();
  const onNotification = (message: { channel: string }) => {
    if (message.channel === channel) onNotify();
  };
  let failed: Error | undefined;
  // NOTE: a pg client without an 'error' listener crashes the process when its connection drops.
  const onClientError = (error: Error) => {
    failed = error;
    onError(error);
  };
  client.on('notification', onNotification);
  client.on('error', onClientError);
  try {
    await client.query(`LISTEN ${quoteIdent(channel)}`);
  } catch (error) {
    client.removeListener('notification', onNotification as never);
    client.removeListener('error', onClientError as never);
    client.release(error as Error);
    throw error;
  }
  return async () => {
    client.removeListener('notification', onNotification as never);
    try {
      if (failed === undefined) await client.query(`UNLISTEN ${quoteIdent(channel)}`);
    } finally {
      client.removeListener('error', onClientError as never);
      client.release(failed);
    }
  };
}

/** Quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
