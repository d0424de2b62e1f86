import { PostgresJobStore, typeormPort } from '@hookdex/scheduler/cluster';
import type { DataSource } from 'typeorm';

/** Prefix of the store's tables (`hookdex_schedules`, `hookdex_runs`): hookdex's own, never journaled or immune. */
export const JOB_STORE_PREFIX = 'hookdex_';

/**
 * The job store of `apscheduler.jobstores.default.type: database`: `PostgresJobStore` on the app's
 * own DataSource, its tables in the configured schema beside the project's.
 */
export function databaseJobStore(dataSource: DataSource, schema: string): PostgresJobStore {
  return new PostgresJobStore(typeormPort(dataSource), { schema, prefix: JOB_STORE_PREFIX });
}
