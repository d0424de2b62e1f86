import type { SchedulerOptions } from '@hookdex/scheduler';
import type { InjectionToken } from 'tsyringe';
import type { DataSource } from 'typeorm';
import type { ExternalTypes } from '../config/arg-types.js';
import type { HookdexConfig } from '../config/config-types.js';
import type { Logger } from '../logging/logger.js';

/** The loaded configuration. */
export const CONFIG: InjectionToken<HookdexConfig> = Symbol.for('hookdex.Config');
/** The root logger. */
export const LOGGER: InjectionToken<Logger> = Symbol.for('hookdex.Logger');
/** The project's TypeORM DataSource (not yet initialised when registered). */
export const DATA_SOURCE: InjectionToken<DataSource> = Symbol.for('hookdex.DataSource');
/** Constructors of `module:Export` argument types, loaded at startup. */
export const EXTERNAL_TYPES: InjectionToken<ExternalTypes> = Symbol.for('hookdex.ExternalTypes');
/** Extra scheduler options (a fake clock and timers in tests). */
export const SCHEDULER_OPTIONS: InjectionToken<Pick<SchedulerOptions, 'clock' | 'timers'>> =
  Symbol.for('hookdex.SchedulerOptions');
