import winston from 'winston';
import type { LogFields, Logger, LogLevel } from './logger.js';

export interface CreateLoggerOptions {
  /** Default `info`. */
  level?: LogLevel;
  /** `pretty` (default): one human line per entry; `json`: one JSON object per line. */
  format?: 'pretty' | 'json';
  /** Root logger name. Default `hookdex`. */
  name?: string;
  /** Where lines go. Default standard error, so standard output stays the program's own. */
  stream?: NodeJS.WritableStream;
}

/** The only place that imports winston. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const format =
    options.format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
          winston.format.printf(({ timestamp, level, message, logger, ...fields }) => {
            const data = Object.entries(fields)
              .filter(([key]) => typeof key === 'string')
              .map(([key, value]) => `${key}=${formatValue(value)}`)
              .join(' ');
            return `${String(timestamp)} ${level.toUpperCase().padEnd(5)} ${String(logger)}: ${String(message)}${data ? ` ${data}` : ''}`;
          }),
        );
  const winstonLogger = winston.createLogger({
    level: options.level ?? 'info',
    format,
    transports: [
      options.stream === undefined
        ? new winston.transports.Stream({ stream: process.stderr })
        : new winston.transports.Stream({ stream: options.stream }),
    ],
  });
  return new WinstonLogger(winstonLogger, options.name ?? 'hookdex');
}

class WinstonLogger implements Logger {
  constructor(
    private readonly target: winston.Logger,
    readonly name: string,
  ) {}

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  child(name: string): Logger {
    return new WinstonLogger(this.target, `${this.name}.${name}`);
  }

  private log(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (!this.target.isLevelEnabled(level)) return;
    this.target.log(level, message, { logger: this.name, ...serialise(fields) });
  }
}

const RESERVED_FIELDS = new Set(['level', 'message', 'logger', 'timestamp']);

function serialise(fields: LogFields | undefined): LogFields {
  if (fields === undefined) return {};
  const result: LogFields = {};
  for (const [field, value] of Object.entries(fields)) {
    // NOTE: winston's own keys would overwrite the field (a block `level`, say): keep both.
    const key = RESERVED_FIELDS.has(field) ? `${field}_` : field;
    result[key] =
      value instanceof Error
        ? {
            name: value.name,
            message: value.message,
            ...(value.cause === undefined ? {} : { cause: String(value.cause) }),
          }
        : typeof value === 'bigint'
          ? value.toString()
          : value;
  }
  return result;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (value instanceof Date) return value.toISOString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
