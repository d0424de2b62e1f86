import { type CronExpression, CronExpressionParser } from 'cron-parser';
import { SchedulerError } from '../errors.js';

/** The six cron fields, in order, as named in errors. */
export const CRON_FIELDS = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;
export type CronField = (typeof CRON_FIELDS)[number];

const FIELD_LABELS: Record<CronField, string> = {
  second: 'second',
  minute: 'minute',
  hour: 'hour',
  dayOfMonth: 'day-of-month',
  month: 'month',
  dayOfWeek: 'day-of-week',
};

/** The macros we accept; each is a 6-field expression. */
export const CRON_MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

// NOTE: cron-parser also accepts `H` (hashed values, different per seed and so per process) and
// fills in missing fields; both would make one expression mean different things in different places.
const FIELD_CHARACTERS = /^[0-9A-Za-z*/,?#-]+$/;

/** A parsed, validated cron expression on the naive (UTC-read) wall-clock timeline. */
export interface ParsedCron {
  /** The expression as given. */
  readonly source: string;
  /** The normalised 6-field form. */
  readonly sixFields: string;
  /** cron-parser's iterator, in UTC: wall times are read as if they were UTC. */
  readonly expression: CronExpression;
  /** True when the hour field matches all 24 hours (the pattern runs every hour or more often). */
  readonly everyHour: boolean;
}

/**
 * Parses a 5-field (minute first) or 6-field (second first) expression or a macro, with standard
 * meaning: 0 and 7 are Sunday, day-of-month and day-of-week combine with OR, `L` and `#` allowed.
 * Throws `INVALID_CRON` naming the field that is wrong.
 */
export function parseCron(source: string): ParsedCron {
  if (typeof source !== 'string' || source.trim().length === 0) {
    throw new SchedulerError('INVALID_CRON', `Expected a cron expression string, found ${describe(source)}.`);
  }
  const trimmed = source.trim();
  let sixFields: string;
  if (trimmed.startsWith('@')) {
    const macro = CRON_MACROS[trimmed.toLowerCase()];
    if (macro === undefined) {
      throw new SchedulerError(
        'INVALID_CRON',
        `Unknown cron macro "${trimmed}": expected one of ${Object.keys(CRON_MACROS).join(', ')}.`,
      );
    }
    sixFields = macro;
  } else {
    const fields = trimmed.split(/\s+/);
    if (fields.length !== 5 && fields.length !== 6) {
      throw new SchedulerError(
        'INVALID_CRON',
        `Invalid cron expression "${trimmed}": expected 5 fields (minute hour day-of-month month day-of-week) ` +
          `or 6 (with seconds first), found ${fields.length}.`,
      );
    }
    const six = fields.length === 5 ? ['0', ...fields] : fields;
    six.forEach((value, index) => {
      const field = CRON_FIELDS[index]!;
      if (!FIELD_CHARACTERS.test(value) || /(^|[^a-z])h($|[^a-z])/i.test(value)) {
        throw fieldError(trimmed, field, value, 'it contains characters that are not allowed here');
      }
      const probe = CRON_FIELDS.map((_, other) => (other === index ? value : '*')).join(' ');
      try {
        CronExpressionParser.parse(probe, { tz: 'UTC', strict: false });
      } catch (error) {
        throw fieldError(trimmed, field, value, messageOf(error), error);
      }
    });
    sixFields = six.join(' ');
  }
  let expression: CronExpression;
  try {
    expression = CronExpressionParser.parse(sixFields, { tz: 'UTC', currentDate: new Date(0) });
    // An expression whose fields are each valid may still never match (30 February).
    expression.next();
  } catch (error) {
    throw new SchedulerError(
      'INVALID_CRON',
      `Invalid cron expression "${trimmed}": the day-of-month and month fields never match together ` +
        `(${messageOf(error)}).`,
      { field: 'dayOfMonth', cause: error },
    );
  }
  const everyHour = expression.fields.hour.values.length === 24;
  return { source: trimmed, sixFields, expression, everyHour };
}

function fieldError(source: string, field: CronField, value: string, reason: string, cause?: unknown) {
  return new SchedulerError(
    'INVALID_CRON',
    `Invalid cron expression "${source}": the ${FIELD_LABELS[field]} field "${value}" is invalid: ${reason}.`,
    { field, cause },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? 'an empty string' : typeof value;
}
