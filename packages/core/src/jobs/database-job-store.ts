import {
  PostgresJobStore,
  type TypeormDataSourceLike,
  type TypeormQueryRunnerLike,
  typeormPort,
} from '@hookdex/scheduler/cluster';
import type { DataSource, QueryRunner } from 'typeorm';

/** Prefix of the store's tables (`hookdex_schedules`, `hookdex_runs`): hookdex's own, never journaled or immune. */
export const JOB_STORE_PREFIX = 'hookdex_';

/**
 * The job store of `apscheduler.jobstores.default.type: database`: `PostgresJobStore` on the app's
 * own DataSource, its tables in the configured schema beside the project's.
 */
export function databaseJobStore(dataSource: DataSource, schema: string): PostgresJobStore {
  return new PostgresJobStore(typeormPort(rowsOnly(dataSource)), { schema, prefix: JOB_STORE_PREFIX });
}

// NOTE: TypeORM's PostgreSQL query() answers an UPDATE or DELETE with `[rows, rowCount]` instead of
// the rows, which `typeormPort` would read as two rows (so a lease renewal looked lost). Asking for
// the structured result and taking its `records` gives the rows for every statement.
function rowsOnly(dataSource: DataSource): TypeormDataSourceLike {
  const records = async (runner: QueryRunner, sql: string, params?: unknown[]) =>
    (await runner.query(sql, params, true)).records as unknown[];
  const wrap = (runner: QueryRunner): TypeormQueryRunnerLike => ({
    connect: () => runner.connect(),
    startTransaction: () => runner.startTransaction(),
    commitTransaction: () => runner.commitTransaction(),
    rollbackTransaction: () => runner.rollbackTransaction(),
    query: (sql, params) => records(runner, sql, params),
    release: () => runner.release(),
  });
  return {
    driver: dataSource.driver,
    createQueryRunner: () => wrap(dataSource.createQueryRunner()),
    query: async (sql, params) => {
      const runner = dataSource.createQueryRunner();
      try {
        return await records(runner, sql, params);
      } finally {
        await runner.release();
      }
    },
  };
}
