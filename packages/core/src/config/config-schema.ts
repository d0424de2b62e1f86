// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` here is YAML's placeholder, not a template.
import { parseCron, SchedulerError } from '@hookdex/scheduler';
import * as z from 'zod';
import { ArgTypeSyntaxError, KNOWN_TYPE_NAMES, parseArgType } from './arg-types.js';
import {
  ARGUMENT_NAME,
  CALLBACK_NAME,
  CALLBACK_NAME_EXPECTED,
  INTERNAL_TABLE_PREFIX,
  RESERVED_ARGUMENT_NAMES,
} from './config-names.js';
import { didYouMeanHint } from './did-you-mean.js';

// The shape of `hookdex.yaml`. Checks that involve one value live here (and so reach editors through
// the JSON Schema where JSON Schema can say them); checks across sections are in validate-config.ts.
// NOTE: custom checks put the "expected" text in the issue message and `found`/`hint` in params;
// schema-issue-problem.ts turns issues into ConfigurationErrors.

const callbackName = z.string().regex(CALLBACK_NAME, { error: CALLBACK_NAME_EXPECTED });

const argumentName = z
  .string()
  .regex(ARGUMENT_NAME, { error: 'an argument name: an identifier ([A-Za-z_][A-Za-z0-9_]*)' })
  .refine((name) => !RESERVED_ARGUMENT_NAMES.includes(name), {
    error: 'an argument name other than `ctx`, `name` and `wait`',
    params: { hint: '`ctx` is the hook context; `name` and `wait` are parameters of `fireHook`' },
  });

const TYPE_NAMES = KNOWN_TYPE_NAMES.split(', ');

const argumentType = z
  .string()
  .superRefine((source, context) => {
    try {
      parseArgType(source);
    } catch (error) {
      if (!(error instanceof ArgTypeSyntaxError)) throw error;
      context.addIssue({
        code: 'custom',
        message: error.message,
        params: { hint: didYouMeanHint(source.trim(), TYPE_NAMES) },
      });
    }
  })
  .meta({
    description: `The argument's type: ${KNOWN_TYPE_NAMES}. Optional[T] and T | None may be omitted.`,
  });

const hook = z
  .strictObject({
    callback: callbackName.meta({
      description: 'The callback: hooks/<callback with dots as slashes>.ts. Must be equal to the hook name.',
    }),
    atomic: z
      .boolean()
      .default(false)
      .meta({ description: 'Run the whole hook, its SQL scripts included, in one transaction.' }),
    args: z
      .record(argumentName, argumentType)
      .default({})
      .meta({ description: 'Declared arguments: name -> type. Checked whenever the hook is fired.' }),
  })
  .meta({ title: 'Hook', description: 'A user hook, fired with `ctx.fireHook` or by a job.' });

const crontab = z.string().superRefine((source, context) => {
  try {
    parseCron(source);
  } catch (error) {
    if (!SchedulerError.is(error)) throw error;
    context.addIssue({
      code: 'custom',
      message:
        'a cron expression: 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or a macro such as `@daily`',
      params: { hint: error.message.replace(/\.$/, ''), cause: error },
    });
  }
});

const job = z
  .strictObject({
    hook: z.string().meta({ description: 'The user hook to run (declared in `hooks:`).' }),
    args: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({ description: 'Arguments for the hook, checked against its declared `args` at load.' }),
    crontab: crontab.nullish().meta({
      description: 'Run on a cron schedule ("0 0 * * *"). Exactly one of crontab, interval, daemon.',
    }),
    interval: z
      .number()
      .positive()
      .nullish()
      .meta({ description: 'Run every N seconds (> 0). Exactly one of crontab, interval, daemon.' }),
    daemon: z.boolean().nullish().meta({
      description:
        'Start at once and run forever (not with an atomic hook). Exactly one of crontab, interval, daemon.',
    }),
    on_error: z
      .enum(['stop', 'log'])
      .default('stop')
      .meta({ description: '`stop`: a failing run stops the indexer; `log`: log it and keep the schedule.' }),
  })
  .meta({ title: 'Job', description: 'Runs a user hook on a schedule.' });

const immuneTables = z
  .array(
    z
      .string()
      .min(1)
      .refine((name) => !name.toLowerCase().startsWith(INTERNAL_TABLE_PREFIX), {
        error: `a project table name (not starting with \`${INTERNAL_TABLE_PREFIX}\`)`,
        params: { hint: `\`${INTERNAL_TABLE_PREFIX}*\` tables are hookdex's own and cannot be immune` },
      }),
  )
  .superRefine((names, context) => {
    names.forEach((name, index) => {
      if (names.indexOf(name) !== index) {
        context.addIssue({
          code: 'custom',
          path: [index],
          message: 'each table once',
          params: { found: `\`${name}\` again (already at index ${names.indexOf(name)})` },
        });
      }
    });
  })
  .default([])
  .meta({ description: 'Tables that are never journaled for rollback and never wiped on reindex.' });

const sqliteDatabase = z
  .strictObject({
    kind: z.literal('sqlite'),
    path: z
      .string()
      .min(1)
      .default('hookdex.sqlite')
      .meta({ description: 'Database file, relative to the project directory, or `:memory:`.' }),
    immune_tables: immuneTables,
  })
  .meta({ title: 'SQLite database' });

const optionalText = (description: string) => z.string().min(1).nullish().meta({ description });

const postgresDatabase = z
  .strictObject({
    kind: z.literal('postgres'),
    url: optionalText(
      'Connection URL (postgres://user:password@host:port/database); the fields below override its parts.',
    ),
    host: optionalText('Server host.'),
    port: z.int().min(1).max(65535).nullish().meta({ description: 'Server port.' }),
    user: optionalText('User name.'),
    password: optionalText('Password; use ${VAR} substitution to keep it out of the file.'),
    database: optionalText('Database name.'),
    schema: z.string().min(1).default('public').meta({ description: 'Schema (namespace) of every table.' }),
    immune_tables: immuneTables,
  })
  .meta({ title: 'PostgreSQL database' });

const level = z.int().min(0).nullish();

const index = z
  .looseObject({
    kind: z.string().min(1).meta({ description: 'The index kind, registered by the project or a plugin.' }),
    datasource: z.string().meta({ description: 'The datasource it reads (declared in `datasources:`).' }),
    handlers: z
      .array(
        z
          .looseObject({
            callback: callbackName.meta({ description: 'The handler: handlers/<callback>.ts.' }),
          })
          .meta({
            description: 'A handler callback and what it matches (the other keys, defined by the kind).',
          }),
      )
      .min(1)
      .meta({ description: 'The handlers, each a `callback` and what it matches.' }),
    first_level: level.meta({ description: 'The first level to index.' }),
    last_level: level.meta({
      description: 'The last level to index (>= first_level); none: follow the head.',
    }),
  })
  .meta({
    title: 'Index',
    description: "An index: its kind, datasource, handlers and the kind's own options.",
  });

const datasource = z
  .looseObject({ kind: z.string().min(1).meta({ description: 'The datasource kind, such as `evm.node`.' }) })
  .meta({
    title: 'Datasource',
    description: "A datasource: its kind and the kind's own options (such as `url`).",
  });

const reindexAction = z.enum(['exception', 'wipe', 'ignore']);

/** The scheduler defaults: APScheduler's, kept for every key not set (DipDup drops them all). */
const scheduler = z
  .strictObject({
    'apscheduler.job_defaults.coalesce': z
      .boolean()
      .default(true)
      .meta({ description: 'Run a job whose fires piled up only once.' }),
    'apscheduler.job_defaults.max_instances': z
      .int()
      .min(1)
      .default(1)
      .meta({ description: 'How many runs of one job may overlap.' }),
    'apscheduler.job_defaults.misfire_grace_time': z
      .number()
      .min(0)
      .nullable()
      .default(1)
      .meta({ description: 'Seconds a run may start late before it is reported as missed; null: no limit.' }),
    'apscheduler.timezone': z
      .string()
      .refine(isTimeZone, { error: 'an IANA time zone name such as `UTC` or `Europe/Berlin`' })
      .default('UTC')
      .meta({ description: 'Time zone of crontab schedules.' }),
    'apscheduler.jobstores.default.type': z
      .enum(['memory', 'database'])
      .default('memory')
      .meta({
        description:
          'Where schedules are kept: `memory` (each process fires every job) or `database` (PostgreSQL only: ' +
          'every process on the same database shares the jobs and each fire runs once).',
      }),
    'apscheduler.executors.default.type': z
      .enum(['asyncio'])
      .default('asyncio')
      .meta({ description: 'Jobs run on the event loop; thread and process pools are not supported.' }),
  })
  .meta({ title: 'Scheduler', description: 'APScheduler-style options of the job scheduler.' });

const advanced = z
  .strictObject({
    scheduler: scheduler.prefault({}),
    postpone_jobs: z
      .boolean()
      .default(false)
      .meta({ description: 'Start jobs only after every index has reached realtime for the first time.' }),
    rollback_depth: z
      .int()
      .min(0)
      .nullish()
      .meta({ description: 'Levels kept in the rollback journal; none: derived from the datasources.' }),
    reindex: z
      .strictObject({
        manual: reindexAction.optional(),
        migration: reindexAction.optional(),
        rollback: reindexAction.optional(),
        config_modified: reindexAction.optional(),
        schema_modified: reindexAction.optional(),
      })
      .default({})
      .meta({ description: 'What to do when reindexing is required, per reason (default `exception`).' }),
  })
  .meta({ title: 'Advanced options' });

const logging = z
  .strictObject({
    level: z
      .enum(['debug', 'info', 'warn', 'error'])
      .default('info')
      .meta({ description: 'The least severe level logged.' }),
    format: z
      .enum(['pretty', 'json'])
      .default('pretty')
      .meta({ description: '`pretty` for people, `json` (one object a line) for machines.' }),
  })
  .meta({ title: 'Logging' });

/** The zod schema of one merged `hookdex.yaml` (snake_case keys, as written). */
export const configSchema = z
  .strictObject({
    database: z
      .discriminatedUnion('kind', [sqliteDatabase, postgresDatabase])
      .prefault({ kind: 'sqlite' })
      .meta({ description: 'The database: SQLite (default, `hookdex.sqlite`) or PostgreSQL.' }),
    datasources: z
      .record(z.string(), datasource)
      .default({})
      .meta({ description: 'Datasources by name: where indexes get their data.' }),
    indexes: z
      .record(z.string(), index)
      .default({})
      .meta({ description: 'Indexes by name: what is indexed and by which handlers.' }),
    hooks: z
      .record(callbackName, hook)
      .default({})
      .meta({ description: 'User hooks by name; the name must be equal to `callback`.' }),
    jobs: z.record(z.string(), job).default({}).meta({ description: 'Scheduled jobs by name.' }),
    advanced: advanced.prefault({}).meta({ description: 'The scheduler, rollback and reindexing.' }),
    logging: logging.prefault({}).meta({ description: 'Log level and format.' }),
  })
  .meta({
    title: 'hookdex.yaml',
    description:
      'Configuration of a hookdex indexer. ${VAR} and ${VAR:-default} are replaced from the environment before parsing.',
  });

/** The document after validation, with defaults applied. */
export type ConfigDocumentOutput = z.output<typeof configSchema>;

/** The JSON Schema of `hookdex.yaml`, for editors; generated from `configSchema`. */
export function configJsonSchema(): object {
  // NOTE: draft-07 is what the YAML language servers of common editors support best.
  return z.toJSONSchema(configSchema, { io: 'input', target: 'draft-07' });
}

/** The command that regenerates `schema/hookdex.schema.json`. */
export const REGENERATE_SCHEMA_COMMAND = 'pnpm -F @hookdex/core schema';

/** What `schema/hookdex.schema.json` holds: the JSON Schema with a do-not-edit note. */
export function configJsonSchemaFile(): object {
  const { $schema, ...schema } = configJsonSchema() as Record<string, unknown>;
  return {
    $schema,
    $comment: `Generated from src/config/config-schema.ts; do not edit. Regenerate with \`${REGENERATE_SCHEMA_COMMAND}\`.`,
    ...schema,
  };
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
