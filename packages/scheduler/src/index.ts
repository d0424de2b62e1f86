export type { Clock, TimerHandle, TimerSource } from './clock.js';
export { systemClock, systemTimers } from './clock.js';
export { cronFireTimes } from './cron/cron-fire-times.js';
export type { CronField, ParsedCron } from './cron/parse-cron.js';
export { CRON_MACROS, parseCron } from './cron/parse-cron.js';
export type { SchedulerErrorCode } from './errors.js';
export { SchedulerError } from './errors.js';
export type { SchedulerEventName, SchedulerEvents, SchedulerListener } from './events.js';
export { Scheduler } from './scheduler.js';
export type {
  CoalesceOption,
  CronTrigger,
  DaemonTrigger,
  DateInput,
  DateTrigger,
  IntervalTrigger,
  JobCallback,
  JobContext,
  JobDefinition,
  JobInfo,
  JobOptions,
  OnErrorOption,
  RunNowResult,
  SchedulerOptions,
  ShutdownOptions,
  ShutdownResult,
  Trigger,
} from './types.js';
