import type { SchedulerOptions } from '@hookdex/scheduler';
import type { InjectionToken } from 'tsyringe';
import type { DataSource } from 'typeorm';
import type { ExternalTypes } from '../config/arg-types.js';
import type { HookdexConfig } from '../config/config-types.js';
import type { Logger } from '../logging/logger.js';
import type { DatasourceFactory, Level } from '../runtime/datasource.js';
import type { IndexKind } from '../runtime/index-kind.js';

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
/** Datasource kinds by name (`evm.node`), from the project's entry. */
export const DATASOURCE_KINDS: InjectionToken<Readonly<Record<string, DatasourceFactory>>> =
  Symbol.for('hookdex.DatasourceKinds');
/** Index kinds by name, from the project's entry. */
export const INDEX_KINDS: InjectionToken<Readonly<Record<string, IndexKind>>> =
  Symbol.for('hookdex.IndexKinds');
/** Observes every level processed (progress output). */
export const LEVEL_OBSERVER: InjectionToken<LevelObserver> = Symbol.for('hookdex.LevelObserver');

/** Called for every level an index processed, with how many items its handlers received. */
export type LevelObserver = (index: string, level: Level, matched: number) => void;
