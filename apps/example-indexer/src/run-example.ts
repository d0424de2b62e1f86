import path from 'node:path';
import {
  createLogger,
  HandlerRegistry,
  HookdexApp,
  type HookdexConfig,
  HookRegistry,
  type LogLevel,
  loadConfig,
  registerCore,
  SchemaManager,
} from '@hookdex/core';
import { container } from 'tsyringe';
import { appDir } from './app-dir.js';
import { HANDLERS, HOOKS } from './callbacks.js';
import { type DatabaseSummary, readDatabaseSummary } from './database-summary.js';
import { ChainDriver, type DrivenReorg, type ReorgOptions } from './evm/chain-driver.js';
import type { EvmDatasource, EvmDatasourceStatus } from './evm/evm-datasource.js';
import { createEvmNodeKind, EMBEDDED_URL } from './evm/evm-node-kind.js';
import { type LocalNode, startLocalNode } from './evm/local-node.js';
import { describeError } from './evm/retry.js';
import { sleep } from './evm/sleep.js';
import { TrafficGenerator } from './evm/traffic.js';
import project from './index.js';
import { observedLogger } from './progress/observed-logger.js';
import { type ProgressMode, ProgressReporter } from './progress/progress-reporter.js';
import { RunStats } from './progress/run-stats.js';

/** How to run the example; every field has a default (`pnpm example` passes only `durationSeconds`). */
export interface ExampleOptions {
  /** Configuration files; default hookdex.yaml, plus hookdex.postgres.yaml when HOOKDEX_DATABASE_URL is set. */
  configFiles?: string[];
  /** Variables for `${VAR}` in the files; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Index this node instead of starting the embedded one (needs `contract`). */
  rpcUrl?: string;
  contract?: string;
  confirmations?: number;
  /** The first block to index (`indexes.tokens.first_level`). */
  fromBlock?: number;
  /** The embedded node: traders, and a port to also serve HTTP on 127.0.0.1. */
  node?: { traders?: number; port?: number };
  /** The embedded chain's traffic. */
  traffic?: { seed?: number; transfersPerBlock?: readonly [number, number]; blockIntervalMs?: number };
  /** The embedded chain's reorgs. Default: every 15 blocks, depths 1 to 4. */
  reorgs?: ReorgOptions;
  /** Embedded: blocks mined before indexing starts, so the run begins with a historical sync. */
  prefill?: number;
  /** Stop once the head has grown this many blocks since the start and the indexer caught up. */
  blocks?: number;
  /** Stop after this many seconds. */
  durationSeconds?: number;
  /**
   * Awaited once the `blocks` bound is reached, before hookdex stops (the tests wait for job runs
   * on the final chain here).
   */
  beforeStop?: () => Promise<void>;
  /**
   * Embedded: wipe the database first (default true: the embedded chain is new on every run, so
   * data of an earlier run describes a chain that no longer exists).
   */
  resetDatabase?: boolean;
  progress?: ProgressMode;
  /** Where the progress line and log lines go; default standard error. */
  output?: NodeJS.WritableStream;
  logLevel?: LogLevel;
  logFormat?: 'pretty' | 'json';
}

/** What a run did. */
export interface RunSummary {
  /** Why it ended: `blocks`, `duration`, `stopped` (stop() or a signal) or `failed`. */
  reason: 'blocks' | 'duration' | 'stopped' | 'failed';
  error: Error | undefined;
  seconds: number;
  firstLevel: number | undefined;
  lastLevel: number | undefined;
  blocks: number;
  transfers: number;
  blocksPerSecond: number;
  transfersPerSecond: number;
  /** The catch-up before the first realtime level (the prefilled blocks on the embedded node). */
  historical: { blocks: number; transfers: number; seconds: number } | undefined;
  reorgs: number;
  deepestReorg: number;
  rpcRetries: number;
  hooks: Record<string, number>;
  jobs: Record<string, number>;
  database: DatabaseSummary | undefined;
}

/** A running example. */
export interface ExampleRun {
  readonly config: HookdexConfig;
  readonly app: HookdexApp;
  /** The embedded node (undefined with `rpcUrl`); it stays up after the run until `close()`. */
  readonly node: LocalNode | undefined;
  /** The reorgs the embedded chain driver made. */
  readonly reorgs: readonly DrivenReorg[];
  readonly stats: RunStats;
  /** The datasource, once the runtime created it. */
  datasource(): EvmDatasource | undefined;
  /** Resolves once the run ended (a bound reached, `stop()`, or a failure: see `error`). */
  readonly finished: Promise<RunSummary>;
  /** Stops gracefully: the chain driver, then hookdex (current level, jobs, deferred hooks). */
  stop(): Promise<RunSummary>;
  /** Stops the embedded node. */
  close(): Promise<void>;
}

const DEFAULT_REORGS: ReorgOptions = { every: 15, depths: { min: 1, max: 4 } };

/**
 * The example's composition root as a function (src/main.ts parses flags and calls it; the tests
 * call it directly): starts the embedded node unless `rpcUrl` is given, loads hookdex.yaml, builds
 * the container, starts hookdex, drives the chain, shows progress and stops at the bounds.
 */
export async function startExample(options: ExampleOptions = {}): Promise<ExampleRun> {
  const directory = appDir();
  const env: Record<string, string | undefined> = { ...(options.env ?? process.env) };
  const embedded = options.rpcUrl === undefined;
  let node: LocalNode | undefined;
  if (embedded) {
    node = await startLocalNode(options.node ?? {});
    env.HOOKDEX_RPC_URL = EMBEDDED_URL;
    env.HOOKDEX_CONTRACT = node.token;
  } else {
    env.HOOKDEX_RPC_URL = options.rpcUrl;
    if (options.contract !== undefined) env.HOOKDEX_CONTRACT = options.contract;
  }
  if (options.confirmations !== undefined) env.HOOKDEX_CONFIRMATIONS = String(options.confirmations);
  if (options.fromBlock !== undefined) env.HOOKDEX_FIRST_BLOCK = String(options.fromBlock);
  if (options.logLevel !== undefined) env.HOOKDEX_LOG_LEVEL = options.logLevel;
  if (options.logFormat !== undefined) env.HOOKDEX_LOG_FORMAT = options.logFormat;
  const files = options.configFiles ?? [
    path.join(directory, 'hookdex.yaml'),
    ...(env.HOOKDEX_DATABASE_URL ? [path.join(directory, 'hookdex.postgres.yaml')] : []),
  ];
  let config: HookdexConfig;
  try {
    config = await loadConfig(files, { env });
  } catch (error) {
    await node?.close();
    throw error;
  }
  try {
    return await compose({ options, config, node });
  } catch (error) {
    await node?.close();
    throw error;
  }
}

async function compose(input: {
  options: ExampleOptions;
  config: HookdexConfig;
  node: LocalNode | undefined;
}): Promise<ExampleRun> {
  const { options, config, node } = input;
  const stats = new RunStats();
  const datasources: EvmDatasource[] = [];
  const datasource = (): EvmDatasource | undefined => datasources[0];
  const output = options.output ?? process.stderr;
  const mode: ProgressMode =
    options.progress ?? ((output as { isTTY?: boolean }).isTTY === true ? 'tty' : 'log');
  const reporter = new ProgressReporter({ mode, stats, chain: () => datasource()?.status, output });
  const logger = observedLogger(
    createLogger({ level: config.logging.level, format: config.logging.format, stream: reporter.logStream }),
    ({ message, fields }) => {
      // Core reports finished job runs only as this debug entry.
      if (message === 'Ran job' && typeof fields?.job === 'string') stats.jobRan(fields.job);
    },
  );
  const evmLogger = logger.child('evm');

  const hooks = new HookRegistry();
  for (const [name, callback] of Object.entries(HOOKS)) {
    hooks.register(name, async (ctx, args) => {
      stats.hookStarted(name);
      try {
        await callback(ctx, args);
      } catch (error) {
        stats.hookFinished(name, true);
        throw error;
      }
      stats.hookFinished(name, false);
    });
  }
  const handlers = new HandlerRegistry();
  for (const [name, callback] of Object.entries(HANDLERS)) handlers.register(name, callback);

  const child = registerCore(container.createChildContainer(), {
    config,
    hooks,
    handlers,
    entities: project.entities ?? [],
    datasources: {
      'evm.node': createEvmNodeKind({
        ...(node === undefined ? {} : { embedded: node.provider }),
        onCreate: (created) => datasources.push(created),
        onRealtime: () => stats.realtime(performance.now()),
        onRetry: (name, event) =>
          evmLogger.warn('Retried RPC request', {
            datasource: name,
            request: event.label,
            attempt: event.attempt,
            delay_ms: event.delayMs,
            error: describeError(event.error),
          }),
      }),
    },
    indexKinds: project.indexKinds ?? {},
    logger,
    onLevel: stats.onLevel,
  });

  const app = child.resolve(HookdexApp);
  const traffic =
    node === undefined
      ? undefined
      : new TrafficGenerator(node, {
          ...(options.traffic?.seed === undefined ? {} : { seed: options.traffic.seed }),
          ...(options.traffic?.transfersPerBlock === undefined
            ? {}
            : { transfersPerBlock: options.traffic.transfersPerBlock }),
        });
  try {
    if (node !== undefined && (options.resetDatabase ?? true)) {
      const schema = child.resolve(SchemaManager);
      await schema.prepare();
      const dropped = await schema.wipe({ immune: true });
      logger.info('Reset database for the new embedded chain', { dropped: dropped.length });
    }
    if (node !== undefined && traffic !== undefined && (options.prefill ?? 0) > 0) {
      for (let index = 0; index < (options.prefill ?? 0); index++) await traffic.mineBlock();
      logger.info('Mined blocks before indexing', { blocks: options.prefill, head: await node.head() });
    }
  } catch (error) {
    // hookdex has not started, so nothing else closes the connection the reset opened.
    if (app.dataSource.isInitialized) await app.dataSource.destroy();
    throw error;
  }
  const startedAt = performance.now();
  await app.start();
  reporter.start(logger.child('progress'));

  const halt = new AbortController();
  const confirmations = datasourceConfirmations(config);
  const driver =
    node === undefined || traffic === undefined
      ? undefined
      : new ChainDriver({
          node,
          traffic,
          blockIntervalMs: options.traffic?.blockIntervalMs ?? 250,
          reorgs: options.reorgs ?? DEFAULT_REORGS,
          ...(options.blocks === undefined ? {} : { blocks: options.blocks }),
          // With confirmations the indexer never sees a branch's tip: no point waiting for it.
          ...(confirmations > 0
            ? {}
            : {
                beforeRevert: async (tip) => {
                  await until(() => (datasource()?.status.processed?.number ?? -1) >= tip.number, {
                    signal: halt.signal,
                    // Long enough for a busy machine; it only delays the demo's chain if indexing stalls.
                    timeoutMs: 10_000,
                  });
                },
              }),
          onReorg: (reorg) =>
            evmLogger.info('Reverted the embedded chain', {
              common_ancestor: reorg.commonAncestor,
              depth: reorg.depth,
              reverted_transactions: reorg.reverted.length,
            }),
        });

  let failure: Error | undefined;
  let resolveFinished: (summary: RunSummary) => void = () => {};
  const finished = new Promise<RunSummary>((resolve) => {
    resolveFinished = resolve;
  });
  let stopping: Promise<RunSummary> | undefined;
  let durationTimer: NodeJS.Timeout | undefined;
  let driving: Promise<void> = Promise.resolve();

  const stop = (reason: RunSummary['reason']): Promise<RunSummary> => {
    stopping ??= (async () => {
      halt.abort();
      if (durationTimer !== undefined) clearTimeout(durationTimer);
      await driving.catch(() => {});
      await app.stop({ timeoutMs: 10_000 });
      reporter.stop();
      const seconds = (performance.now() - startedAt) / 1000;
      let database: DatabaseSummary | undefined;
      try {
        database = await readDatabaseSummary(config);
      } catch (error) {
        logger.warn('Failed to read the summary from the database', { error: describeError(error) });
      }
      const summary = summarize({
        reason: failure === undefined ? reason : 'failed',
        error: failure ?? app.error,
        seconds,
        stats,
        chain: datasource()?.status,
        database,
      });
      resolveFinished(summary);
      return summary;
    })();
    return stopping;
  };

  const fail = (error: unknown): void => {
    failure ??= error instanceof Error ? error : new Error(String(error));
    void stop('failed');
  };
  app.wait().catch(fail);
  driving = (driver?.run(halt.signal) ?? Promise.resolve()).catch((error: unknown) => {
    if (!halt.signal.aborted) fail(error);
  });

  if (options.durationSeconds !== undefined) {
    durationTimer = setTimeout(() => void stop('duration'), options.durationSeconds * 1000);
  }
  if (options.blocks !== undefined) {
    void waitForBlocks({
      blocks: options.blocks,
      driver,
      driving,
      node,
      datasource,
      confirmations,
      signal: halt.signal,
    })
      .then(async (reached) => {
        if (!reached) return;
        await options.beforeStop?.();
        void stop('blocks');
      })
      .catch(fail);
  }

  return {
    config,
    app,
    node,
    reorgs: driver?.reorgs ?? [],
    stats,
    datasource,
    finished,
    stop: () => stop('stopped'),
    close: async () => {
      await node?.close();
    },
  };
}

/**
 * Resolves true once the head has grown `blocks` since the start (embedded: the driver is done)
 * and the datasource has handed over the canonical block at the head (less confirmations).
 */
async function waitForBlocks(input: {
  blocks: number;
  driver: ChainDriver | undefined;
  driving: Promise<void>;
  node: LocalNode | undefined;
  datasource: () => EvmDatasource | undefined;
  confirmations: number;
  signal: AbortSignal;
}): Promise<boolean> {
  const { datasource, signal } = input;
  let target: number;
  if (input.driver !== undefined && input.node !== undefined) {
    await input.driving;
    if (signal.aborted) return false;
    target = (await input.node.head()) - input.confirmations;
  } else {
    await until(() => datasource()?.status.head !== undefined, { signal });
    target = datasource()!.status.head! + input.blocks - input.confirmations;
    await until(() => (datasource()?.status.head ?? -1) - input.confirmations >= target, { signal });
  }
  // Caught up means: the last handed-over block is the canonical one at the target.
  for (;;) {
    await until(() => (datasource()?.status.processed?.number ?? -1) >= target, { signal });
    if (signal.aborted) return false;
    const processed = datasource()!.status.processed!;
    const canonical = await datasource()!.getHash(processed.number);
    if (canonical === processed.hash) return true;
    await sleep(50, signal);
  }
}

/** Polls `condition` every 20 ms until it holds, the signal aborts or the timeout passes. */
async function until(
  condition: () => boolean,
  options: { signal: AbortSignal; timeoutMs?: number },
): Promise<void> {
  const deadline =
    options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + options.timeoutMs;
  while (!condition() && !options.signal.aborted && performance.now() < deadline)
    await sleep(20, options.signal);
}

function datasourceConfirmations(config: HookdexConfig): number {
  const value = Object.values(config.datasources).find((source) => source.kind === 'evm.node')?.options
    .confirmations;
  return typeof value === 'number' ? value : 0;
}

function summarize(input: {
  reason: RunSummary['reason'];
  error: Error | undefined;
  seconds: number;
  stats: RunStats;
  chain: EvmDatasourceStatus | undefined;
  database: DatabaseSummary | undefined;
}): RunSummary {
  const { stats, seconds, chain } = input;
  const synced = stats.synced;
  return {
    reason: input.reason,
    error: input.error,
    seconds,
    firstLevel: stats.firstLevel,
    lastLevel: stats.level,
    blocks: stats.blocks,
    transfers: stats.transfers,
    blocksPerSecond: seconds > 0 ? stats.blocks / seconds : 0,
    transfersPerSecond: seconds > 0 ? stats.transfers / seconds : 0,
    historical:
      synced === undefined || stats.firstLevelAt === undefined
        ? undefined
        : {
            blocks: synced.blocks,
            transfers: synced.transfers,
            seconds: (synced.at - stats.firstLevelAt) / 1000,
          },
    reorgs: chain?.reorgs ?? 0,
    deepestReorg: chain?.deepestReorg ?? 0,
    rpcRetries: chain?.retries ?? 0,
    hooks: Object.fromEntries(stats.hooksFinished),
    jobs: Object.fromEntries(stats.jobs),
    database: input.database,
  };
}
