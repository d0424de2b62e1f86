import { SqlRunner } from '@hookdex/sql-runner';
import { inject, injectable } from 'tsyringe';
import {
  checkValue,
  describeType,
  type ExternalTypes,
  formatArgType,
  isOptional,
} from '../config/arg-types.js';
import type { HookConfig, HookdexConfig, IndexHandlerConfig } from '../config/config-types.js';
import type { ContextServices, HookFirer } from '../context/context-services.js';
import { HandlerContext } from '../context/handler-context.js';
import { HookContext, type JobFire } from '../context/hook-context.js';
import { ReindexService } from '../database/reindex-service.js';
import { CONFIG, EXTERNAL_TYPES, LOGGER } from '../di/tokens.js';
import { CallbackError, CallbackTypeError, ConfigurationError } from '../errors/errors.js';
import { HookdexError } from '../errors/hookdex-error.js';
import { Shutdown } from '../lifecycle/shutdown.js';
import type { Logger } from '../logging/logger.js';
import { RuntimeLink } from '../runtime/runtime-link.js';
import { TransactionManager } from '../transactions/transaction-manager.js';
import { DeferredHooks } from './deferred-hooks.js';
import { type HookCallback, HookRegistry } from './hook-registry.js';
import { type IndexRollbackArgs, isSystemHook, SYSTEM_HOOKS, type SystemHookName } from './system-hooks.js';

interface FireOptions {
  wait: boolean;
  /** Aborted when this particular fire should stop (a daemon job); shutdown aborts every fire. */
  signal?: AbortSignal;
  /** The job fire behind this hook fire, shown to the hook as `ctx.job`. */
  job?: JobFire;
}

/**
 * Fires hooks: checks the name and the arguments, then runs the callback in a fresh `HookContext`,
 * atomically (a transaction, or a savepoint of the caller's) when the hook is atomic, or later
 * (after the caller's commit) when fired with `wait: false`.
 */
@injectable()
export class HookManager implements HookFirer {
  private readonly deferred: DeferredHooks;
  private readonly services: ContextServices;
  private readonly options: {
    config: HookdexConfig;
    registry: HookRegistry;
    transactions: TransactionManager;
    externals: ExternalTypes;
    logger: Logger;
  };

  constructor(
    @inject(CONFIG) config: HookdexConfig,
    @inject(HookRegistry) registry: HookRegistry,
    @inject(TransactionManager) transactions: TransactionManager,
    @inject(SqlRunner) sql: SqlRunner,
    @inject(ReindexService) reindexer: ReindexService,
    @inject(Shutdown) shutdown: Shutdown,
    @inject(LOGGER) logger: Logger,
    @inject(EXTERNAL_TYPES) externals: ExternalTypes,
    @inject(RuntimeLink) runtime: RuntimeLink,
  ) {
    this.options = { config, registry, transactions, externals, logger };
    this.deferred = new DeferredHooks((error, hook) => {
      logger.error('Deferred hook failed', { hook, error });
      shutdown.fail(error instanceof Error ? error : new Error(String(error)));
    });
    this.services = { config, hooks: this, transactions, sql, reindexer, signal: shutdown.signal, runtime };
  }

  /** A context for an index handler handling `level` (inside that level's transaction). */
  handlerContext(handler: IndexHandlerConfig, index: string, level: number): HandlerContext {
    return new HandlerContext(
      this.services,
      this.options.logger.child(`handlers.${handler.callback}`),
      handler,
      index,
      level,
    );
  }

  /** Deferred hooks queued or running. */
  get pendingDeferred(): number {
    return this.deferred.pending;
  }

  /** Waits until every deferred hook queued so far has run. */
  drainDeferred(): Promise<void> {
    return this.deferred.drain();
  }

  /** Fires a user hook (system hooks are refused). */
  async fire(name: string, args: Record<string, unknown>, options: FireOptions): Promise<void> {
    if (isSystemHook(name)) {
      throw new ConfigurationError({
        path: `hooks.${name}`,
        expected: 'the name of a user hook',
        found: `the system hook \`${name}\``,
        hint: 'system hooks are fired by hookdex itself, never by handlers, hooks or jobs',
      });
    }
    const config = this.options.config.hooks[name];
    if (config === undefined) {
      const known = Object.keys(this.options.config.hooks);
      throw new ConfigurationError({
        path: `hooks.${name}`,
        expected: `a hook declared under \`hooks:\` (${known.length === 0 ? 'none declared' : known.join(', ')})`,
        found: `\`${name}\``,
        hint: 'declare it in hookdex.yaml and run `hookdex init`',
      });
    }
    await this.dispatch(config, args, options);
  }

  /** Fires a system hook; hookdex's own runtime is the only caller. */
  fireSystem(name: SystemHookName, args: Record<string, unknown> = {}): Promise<void> {
    return this.dispatch(SYSTEM_HOOKS[name], args, { wait: true });
  }

  /** Checks arguments against the hook's declaration; a `CallbackTypeError` names the first problem. */
  checkArguments(config: HookConfig, args: Record<string, unknown>): void {
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      throw new CallbackTypeError({
        hook: config.name,
        argument: '(arguments)',
        expectedType: 'an object of arguments by name',
        actualType: describeType(args),
      });
    }
    const declared = this.declaredNames(config);
    for (const key in args) {
      if (!declared.has(key)) {
        throw new CallbackTypeError({
          hook: config.name,
          argument: key,
          expectedType: `no such argument (declared: ${[...declared].join(', ') || 'none'})`,
          actualType: describeType(args[key]),
          reason: 'unknown argument',
        });
      }
    }
    for (const argument of config.args) {
      const value = args[argument.name];
      if (value === undefined && !isOptional(argument.type)) {
        throw new CallbackTypeError({
          hook: config.name,
          argument: argument.name,
          expectedType: formatArgType(argument.type),
          actualType: 'nothing',
          reason: 'missing required argument',
        });
      }
      const mismatch = checkValue(argument.type, value, this.options.externals);
      if (mismatch !== undefined) {
        throw new CallbackTypeError({
          hook: config.name,
          argument: `${argument.name}${mismatch.at}`,
          expectedType: mismatch.expected,
          actualType: mismatch.actual,
        });
      }
    }
  }

  // NOTE: per-hook values computed once; fireHook is on the hot path of every handler.
  private readonly declared = new WeakMap<HookConfig, ReadonlySet<string>>();
  private readonly loggers = new Map<string, Logger>();

  private declaredNames(config: HookConfig): ReadonlySet<string> {
    let names = this.declared.get(config);
    if (names === undefined) {
      names = new Set(config.args.map((argument) => argument.name));
      this.declared.set(config, names);
    }
    return names;
  }

  private loggerOf(config: HookConfig): Logger {
    let logger = this.loggers.get(config.name);
    if (logger === undefined) {
      logger = this.options.logger.child(`hooks.${config.name}`);
      this.loggers.set(config.name, logger);
    }
    return logger;
  }

  private async dispatch(
    config: HookConfig,
    args: Record<string, unknown>,
    options: FireOptions,
  ): Promise<void> {
    const callback = this.callbackOf(config);
    this.checkArguments(config, args);
    const logger = this.loggerOf(config);
    const run = (): Promise<void> => this.run(config, callback, args, logger, options);
    if (!options.wait) {
      const hook = { name: config.name, run: () => this.options.transactions.detached(run) };
      const frame = this.options.transactions.current();
      if (frame === undefined) this.deferred.enqueue(hook);
      else frame.afterCommit.push(() => this.deferred.enqueue(hook));
      logger.debug('Deferred hook', { hook: config.name, after_commit: frame !== undefined });
      return;
    }
    if (config.atomic) {
      await this.options.transactions.transaction(run);
    } else {
      await run();
    }
  }

  private callbackOf(config: HookConfig): HookCallback {
    const callback = this.options.registry.get(config.name);
    if (callback !== undefined) return callback;
    if (isSystemHook(config.name)) return defaultSystemHook(config.name);
    throw new ConfigurationError({
      path: `hooks.${config.name}`,
      expected: `a registered callback for hook \`${config.name}\``,
      found: 'none',
      hint: `run \`hookdex init\` to create hooks/${config.name.replaceAll('.', '/')}.ts`,
    });
  }

  private async run(
    config: HookConfig,
    callback: HookCallback,
    args: Record<string, unknown>,
    logger: Logger,
    { signal, job }: FireOptions,
  ): Promise<void> {
    const combined =
      signal === undefined ? this.services.signal : AbortSignal.any([signal, this.services.signal]);
    const context = new HookContext(this.services, logger, config, combined, job);
    const started = performance.now();
    try {
      await callback(context, args);
    } catch (error) {
      // Framework errors pass through unchanged; anything user code threw is wrapped.
      if (HookdexError.is(error)) throw error;
      throw new CallbackError({ kind: 'hook', callback: config.name, cause: error });
    }
    logger.debug('Fired hook', { hook: config.name, duration_ms: Math.round(performance.now() - started) });
  }
}

/**
 * The body of a system hook that has no callback registered: what the generated stub does. It runs
 * `sql/<hook>/` when that directory exists (and, for `on_index_rollback`, reverts the database).
 */
function defaultSystemHook(name: SystemHookName): HookCallback {
  return async (ctx: HookContext, args: Record<string, unknown>) => {
    try {
      await ctx.executeSql(name);
    } catch (error) {
      if (!HookdexError.is(error, 'INITIALIZATION_REQUIRED')) throw error;
    }
    if (name === 'on_index_rollback') {
      const { index, fromLevel, toLevel } = args as unknown as IndexRollbackArgs;
      await ctx.rollback(index, fromLevel, toLevel);
    }
  };
}
