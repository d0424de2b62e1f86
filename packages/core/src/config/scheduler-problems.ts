import { type ConfigProblem, configurationProblem } from './config-problem.js';
import { describeFound } from './describe-found.js';
import { isMapping } from './merge-documents.js';

// NOTE: APScheduler's pool executors are `apscheduler.executors.pool:ThreadPoolExecutor` and
// `...:ProcessPoolExecutor`, also named by the aliases `threadpool` and `processpool`.
const POOL = /apscheduler\.executors\.pool|threadpool|processpool/i;

/**
 * The `advanced.scheduler` mistakes that deserve their own message rather than "unknown key" or
 * "expected one of": any pool executor (unsupported: hooks run on the event loop) and the database
 * job store on SQLite (it needs PostgreSQL). `database` is the document's `database` section.
 */
export function schedulerProblems(scheduler: unknown, database: unknown): ConfigProblem[] {
  if (!isMapping(scheduler)) return [];
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(scheduler)) {
    const path = ['advanced', 'scheduler', key];
    if (POOL.test(key) || mentionsPool(value)) {
      problems.push(
        configurationProblem(path, {
          expected: 'the asyncio executor (`apscheduler.executors.default.type: asyncio`)',
          found: `\`${key}: ${typeof value === 'string' ? value : describeFound(value)}\``,
          hint:
            'thread and process pool executors (`apscheduler.executors.pool`) are not supported: jobs run on the ' +
            'event loop; to run blocking work in parallel, create a pool (worker_threads, for example) inside the hook',
        }),
      );
    } else if (key === 'apscheduler.jobstores.default.type' && value === 'database') {
      const sqlite = sqliteDatabase(database);
      if (sqlite === undefined) continue;
      problems.push(
        configurationProblem(path, {
          expected: 'a PostgreSQL database: the database store needs PostgreSQL',
          found: `\`database\` with ${sqlite}`,
          hint:
            'set `database.kind: postgres` to share the jobs between processes, or keep ' +
            '`apscheduler.jobstores.default.type: memory` on SQLite, where one process runs the jobs',
        }),
      );
    }
  }
  return problems;
}

/** How the document's database is SQLite (`database:` left out defaults to it), or undefined when it is not. */
function sqliteDatabase(database: unknown): string | undefined {
  if (database === undefined) return 'SQLite, the default database (no `database:` section)';
  if (isMapping(database) && database.kind === 'sqlite') return 'a SQLite database (`database.kind: sqlite`)';
  return undefined;
}

function mentionsPool(value: unknown): boolean {
  if (typeof value === 'string') return POOL.test(value);
  if (Array.isArray(value)) return value.some(mentionsPool);
  if (isMapping(value))
    return Object.entries(value).some(([key, item]) => POOL.test(key) || mentionsPool(item));
  return false;
}
