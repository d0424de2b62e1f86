import path from 'node:path';
import { createLogger, type HookdexConfig, type Logger, loadConfig } from '@hookdex/core';
import type { CliIo } from './cli-io.js';
import type { GlobalOptions } from './global-options.js';
import { loadEnvironment } from './load-environment.js';

/** What every command's action receives. */
export interface CommandContext {
  readonly io: CliIo;
  readonly globals: GlobalOptions;
}

/** The configuration a command works with, the environment it was resolved from, and a logger. */
export interface LoadedConfiguration {
  /** With `--log-level` and `--log-format` applied over `logging:`. */
  readonly config: HookdexConfig;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Writes to standard error, at the configured level and format. */
  readonly logger: Logger;
}

/** Reads the `--env-file`s, loads and validates the `-c` files, and applies the log options. */
export async function loadConfiguration(context: CommandContext): Promise<LoadedConfiguration> {
  const env = await loadEnvironment(context.globals.envFile);
  const loaded = await loadConfig([...context.globals.config], { env });
  const config: HookdexConfig = {
    ...loaded,
    logging: {
      level: context.globals.logLevel ?? loaded.logging.level,
      format: context.globals.logFormat ?? loaded.logging.format,
    },
  };
  const logger = createLogger({ ...config.logging, stream: context.io.stderr });
  return { config, env, logger };
}

/** A path as messages show it: relative to the working directory when that is shorter. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== '' && !relative.startsWith('..') && relative.length < file.length ? relative : file;
}
