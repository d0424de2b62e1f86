import type { LogFields, Logger, LogLevel } from '@hookdex/core';

/** Receives every log call, whatever the output level. */
export type LogObserver = (entry: {
  level: LogLevel;
  logger: string;
  message: string;
  fields: LogFields | undefined;
}) => void;

/**
 * A logger that shows `observe` every call before passing it on. The example counts job runs with
 * it: core reports them only as log entries (`Ran job`, debug, with `job`).
 */
export function observedLogger(inner: Logger, observe: LogObserver): Logger {
  const log =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      observe({ level, logger: inner.name, message, fields });
      inner[level](message, fields);
    };
  return {
    name: inner.name,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (name) => observedLogger(inner.child(name), observe),
  };
}
