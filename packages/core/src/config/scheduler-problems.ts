import { type ConfigProblem, configurationProblem } from './config-problem.js';
import { describeFound } from './describe-found.js';
import { isMapping } from './merge-documents.js';

// NOTE: APScheduler's pool executors are `apscheduler.executors.pool:ThreadPoolExecutor` and
// `...:ProcessPoolExecutor`, also named by the aliases `threadpool` and `processpool`.
const POOL = /apscheduler\.executors\.pool|threadpool|processpool/i;

/**
 * The `advanced.scheduler` mistakes that deserve their own message rather than "unknown key" or
 * "expected one of": any pool executor (unsupported: hooks run on the event loop) and the database
 * job store (not available in this version).
 */
export function schedulerProblems(scheduler: unknown): ConfigProblem[] {
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
      problems.push(
        configurationProblem(path, {
          expected: '`memory`',
          found: '`database`',
          hint: 'the shared database job store is not available in this version; only the `memory` store is',
        }),
      );
    }
  }
  return problems;
}

function mentionsPool(value: unknown): boolean {
  if (typeof value === 'string') return POOL.test(value);
  if (Array.isArray(value)) return value.some(mentionsPool);
  if (isMapping(value))
    return Object.entries(value).some(([key, item]) => POOL.test(key) || mentionsPool(item));
  return false;
}
