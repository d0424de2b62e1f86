/** Log levels, most verbose first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured fields; keys are snake_case by convention. */
export type LogFields = Record<string, unknown>;

/**
 * hookdex's logging interface. Messages are constant, sentence-case, past tense ("Fired hook");
 * the data goes in `fields`. `child` names a sub-logger (e.g. `hooks.calculate_stats`).
 */
export interface Logger {
  readonly name: string;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(name: string): Logger;
}
