import {
  ConfigurationError,
  type HookConfig,
  type HookdexConfig,
  InitializationRequiredError,
  isSystemHook,
  loadExternalTypes,
  ReindexingRequiredError,
  schemaHash,
  didYouMean as suggest,
} from '@hookdex/core';
import { EX_OK } from '../errors/exit-codes.js';
import { parseHookArguments } from '../hooks/parse-hook-arguments.js';
import { type CommandContext, displayPath, loadConfiguration } from '../options/command-context.js';
import { loadProject } from '../project/load-project.js';
import { composeApp, connectDatabase, describeDatabase } from '../runtime/compose-app.js';

/**
 * `hookdex hook fire <name> --arg k=v ...`: fires one user hook against the configured database,
 * as `ctx.fireHook` would (arguments checked against the declaration, atomic hooks in one
 * transaction, `wait: false` hooks it fires run before exit), then exits. The database must be
 * initialised and need no reindexing; system hooks are refused.
 */
export async function hookFireCommand(
  context: CommandContext,
  name: string,
  options: { arg: readonly string[] },
): Promise<number> {
  const { config, logger } = await loadConfiguration(context);
  const hook = userHook(config, name);
  const args = parseHookArguments(hook, options.arg);
  const project = await loadProject(config, logger);
  const externals = await loadExternalTypes(config);
  const { app, schema, dataSource } = composeApp({ config, logger, project, externals });
  // Checked before anything connects: a wrong argument is one line and nothing else.
  app.hooks.checkArguments(hook, args);
  try {
    await connectDatabase(schema, config);
    const record = await schema.getRecord();
    if (record === undefined) {
      throw new InitializationRequiredError(
        `${describeDatabase(config.database)} is not initialized: run \`hookdex schema init\` (or \`hookdex run\`) before firing hooks`,
      );
    }
    const reason = record.reindex ?? (record.hash === schemaHash(dataSource) ? null : 'schema_modified');
    if (reason !== null && config.advanced.reindex[reason] !== 'ignore') {
      throw new ReindexingRequiredError(
        reason,
        record.reindex === null ? 'the models changed since the database was created' : 'recorded earlier',
      );
    }
    const started = performance.now();
    await app.fireHook(name, args, { wait: true });
    const elapsed = Math.round(performance.now() - started);
    context.io.stdout.write(
      `Fired hook \`${name}\` (${hook.atomic ? 'atomic' : 'not atomic'}) in ${elapsed} ms.\n`,
    );
    return EX_OK;
  } finally {
    // Runs the `wait: false` hooks it queued, then closes the database.
    await app.stop();
  }
}

function userHook(config: HookdexConfig, name: string): HookConfig {
  if (isSystemHook(name)) {
    throw new ConfigurationError({
      path: `hooks.${name}`,
      expected: 'the name of a user hook',
      found: `the system hook \`${name}\``,
      hint: 'hookdex fires system hooks itself; they cannot be fired from the shell, by handlers or by jobs',
    });
  }
  const hook = config.hooks[name];
  if (hook !== undefined) return hook;
  const known = Object.keys(config.hooks);
  const hint = suggest(name, known);
  throw new ConfigurationError({
    file: displayPath(config.files[0] ?? ''),
    path: `hooks.${name}`,
    expected: `a hook declared under \`hooks:\` (${known.length === 0 ? 'none are declared' : known.join(', ')})`,
    found: `\`${name}\``,
    ...(hint === undefined ? {} : { hint: `did you mean \`${hint}\`?` }),
  });
}
