export { ClusterScheduler, fireKeyOf } from './cluster-scheduler.js';
export { MemoryJobStore } from './memory-store.js';
export { decideClaims, planFires, reapDelayMs, reapOutcome } from './plan.js';
export type {
  PgClientLike,
  PgPoolLike,
  SqlPort,
  SqlQuery,
  TypeormDataSourceLike,
  TypeormQueryRunnerLike,
} from './port.js';
export { pgPoolPort, typeormPort } from './port.js';
export type { PostgresJobStoreOptions } from './postgres-store.js';
export { PostgresJobStore } from './postgres-store.js';
export type {
  ClaimDecision,
  DueSchedule,
  FirePlan,
  JobStore,
  NewRun,
  PendingRun,
  ReapedRun,
  RunRelease,
  RunResult,
  RunRow,
  RunState,
  ScheduleRow,
  WakeHint,
} from './store.js';
export type {
  ClusterEventName,
  ClusterJobContext,
  ClusterJobDefinition,
  ClusterJobInfo,
  ClusterJobOptions,
  ClusterListener,
  ClusterSchedulerEvents,
  ClusterSchedulerOptions,
  OnCrashOption,
  StoredDefinition,
  StoredOptions,
} from './types.js';
