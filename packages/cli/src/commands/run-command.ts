import { type HookdexConfig, loadExternalTypes } from '@hookdex/core';
import { EX_OK, EX_USER_ERROR } from '../errors/exit-codes.js';
import { type CommandContext, loadConfiguration } from '../options/command-context.js';
import { loadProject } from '../project/load-project.js';
import { composeApp, connectDatabase } from '../runtime/compose-app.js';
import { StopSignals } from '../runtime/stop-signals.js';

/**
 * `hookdex run`: loads the configuration and the project's code, starts hookdex (`on_reindex` on
 * a new database, `on_restart`, jobs) and runs until it stops: on SIGINT or SIGTERM (gracefully,
 * exit 0), on a fatal error, or at once when there is nothing to run after start-up.
 */
export async function runCommand(context: CommandContext): Promise<number> {
  const { config, logger } = await loadConfiguration(context);
  const project = await loadProject(config, logger);
  const externals = await loadExternalTypes(config);
  const { app, schema } = composeApp({ config, logger, project, externals });
  const signals = new StopSignals((signal) => {
    logger.warn('Stopped without waiting for running jobs', { signal });
    process.exit(EX_USER_ERROR);
  });
  try {
    await connectDatabase(schema, config);
    await app.start();
    if (!hasWorkAfterStart(config)) {
      logger.info('Found no jobs and no indexes to run');
      await app.stop();
    }
    signals.onStop((signal) => {
      logger.info('Received stop signal', { signal });
      void app.stop();
    });
    await app.wait();
    return EX_OK;
  } finally {
    signals.dispose();
    // NOTE: a failed start closes the app itself; this also covers a failure before `start`.
    await app.stop().catch(() => {});
  }
}

/**
 * Whether `run` should keep going after start-up. NOTE: this is where the indexing runtime plugs
 * in: with indexes, `app.wait()` resolves when the runtime stops by itself (one-shot mode: every
 * index has a `last_level`, jobs do not start, and hookdex stops once all have reached it), on a
 * fatal error, or after a signal.
 */
export function hasWorkAfterStart(config: HookdexConfig): boolean {
  return Object.keys(config.jobs).length > 0 || Object.keys(config.indexes).length > 0;
}
