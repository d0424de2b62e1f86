import type { LogLevel } from '@hookdex/core';

/** Options every command takes (`hookdex --help` lists them). */
export interface GlobalOptions {
  /** Configuration files in merge order; the project directory is the first one's. */
  readonly config: readonly string[];
  /** dotenv files read before the configuration; the real environment wins over them. */
  readonly envFile: readonly string[];
  /** Overrides `logging.level`; `debug` also prints stack traces of errors. */
  readonly logLevel: LogLevel | undefined;
  /** Overrides `logging.format`. */
  readonly logFormat: 'pretty' | 'json' | undefined;
}

/** The configuration file used when no `-c/--config` is given. */
export const DEFAULT_CONFIG_FILE = 'hookdex.yaml';

/** Reads the global options out of commander's merged option values. */
export function globalOptionsOf(values: Record<string, unknown>): GlobalOptions {
  const config = values.config as string[] | undefined;
  return {
    config: config === undefined || config.length === 0 ? [DEFAULT_CONFIG_FILE] : config,
    envFile: (values.envFile as string[] | undefined) ?? [],
    logLevel: values.logLevel as LogLevel | undefined,
    logFormat: values.logFormat as 'pretty' | 'json' | undefined,
  };
}
