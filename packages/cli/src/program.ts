import { Command, Option } from 'commander';
import { configEnvCommand, configExportCommand, configSchemaCommand } from './commands/config-commands.js';
import { hookFireCommand } from './commands/hook-fire-command.js';
import { initCommand } from './commands/init-command.js';
import { jobsListCommand } from './commands/jobs-list-command.js';
import { newCommand } from './commands/new-command.js';
import { runCommand } from './commands/run-command.js';
import {
  schemaApproveCommand,
  schemaExportCommand,
  schemaInitCommand,
  schemaWipeCommand,
} from './commands/schema-commands.js';
import type { CliIo } from './options/cli-io.js';
import type { CommandContext } from './options/command-context.js';
import { DEFAULT_CONFIG_FILE, globalOptionsOf } from './options/global-options.js';

/** What the program reports back to `main` once a command has run. */
export interface ProgramResult {
  exitCode: number | undefined;
}

const OVERVIEW = `
Getting started:
  $ hookdex new my-indexer      scaffold a project (config, models, a handler, a hook, two jobs)
  $ cd my-indexer && npm install
  $ hookdex run                 on_reindex on a new database, on_restart, then jobs until Ctrl-C

Examples:
  $ hookdex init                                  generate hook stubs and types/hooks.d.ts
  $ hookdex -c hookdex.yaml -c prod.yaml run      merge two configuration files
  $ hookdex --env-file .env config export         the merged configuration, secrets masked
  $ hookdex jobs list                             when each job fires next
  $ hookdex hook fire calculate_stats --arg major=true --arg depth=2

Exit codes: 0 done (also after Ctrl-C or SIGTERM), 1 a mistake to fix (configuration,
arguments, the project's code, a reindex to decide), 75 try again later (database unreachable).
Run \`hookdex <command> --help\` for a command's options and examples.`;

const examples = (...lines: string[]) => `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`;

/**
 * The `hookdex` command tree. Each action sets `result.exitCode`; errors propagate to `main`,
 * which prints them as one line and picks the exit code. Subcommands inherit the output, error
 * and suggestion settings because they are made after them.
 */
export function createProgram(io: CliIo, result: ProgramResult, version: string): Command {
  const program = new Command('hookdex')
    .description('Hooks, jobs and indexing for blockchain indexers, in TypeScript.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addOption(
      new Option(
        '-c, --config <file>',
        `configuration file; repeat to merge several (default: ${DEFAULT_CONFIG_FILE})`,
      ).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    )
    .addOption(
      new Option('--env-file <file>', 'read environment variables from a dotenv file; repeatable').argParser(
        (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
      ),
    )
    .addOption(
      new Option('--log-level <level>', 'log level; debug also prints stack traces').choices([
        'debug',
        'info',
        'warn',
        'error',
      ]),
    )
    .addOption(new Option('--log-format <format>', 'log format').choices(['pretty', 'json']))
    .addHelpText('after', OVERVIEW)
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // NOTE: main prints usage errors itself, as one line, like every other error.
      outputError: () => {},
    })
    .exitOverride();

  const action =
    <Args extends unknown[]>(run: (context: CommandContext, ...args: Args) => Promise<number>) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const context: CommandContext = { io, globals: globalOptionsOf(command.optsWithGlobals()) };
      result.exitCode = await run(context, ...(args.slice(0, -1) as Args));
    };

  program
    .command('new')
    .description('scaffold a new project in <dir>: configuration, models, a handler, a hook, two jobs')
    .argument('<dir>', 'a new or empty directory')
    .addHelpText('after', examples('hookdex new my-indexer'))
    .action(action((context, directory: string) => newCommand(context, directory)));

  program
    .command('init')
    .description('generate hook stubs, sql/ directories and types/hooks.d.ts; never overwrites your files')
    .option('-f, --force', 'also replace a types/hooks.d.ts that lacks the generated header')
    .addHelpText('after', examples('hookdex init', 'hookdex -c hookdex.yaml -c local.yaml init'))
    .action(action((context, options: { force?: boolean }) => initCommand(context, options)));

  program
    .command('run')
    .description(
      'run the project: on_reindex (new database), on_restart, then jobs and indexes until stopped',
    )
    .addHelpText(
      'after',
      `${examples('hookdex run', 'hookdex --env-file .env --log-format json run')}\n\nCtrl-C or SIGTERM stops gracefully (exit 0); a second one stops at once (exit 1).`,
    )
    .action(action((context) => runCommand(context)));

  const schema = program.command('schema').description('create, wipe, approve or export the database schema');
  schema
    .command('init')
    .description('create the tables (firing on_reindex on a new database) and on_restart, then exit')
    .addHelpText('after', examples('hookdex schema init'))
    .action(action((context) => schemaInitCommand(context)));
  schema
    .command('wipe')
    .description(
      'drop the tables and views of the project, immune tables excepted; on_reindex fires next start',
    )
    .option('--immune', 'drop immune tables too')
    .option('-f, --force', 'do not ask for confirmation (required without a terminal)')
    .addHelpText('after', examples('hookdex schema wipe', 'hookdex schema wipe --immune --force'))
    .action(
      action((context, options: { immune?: boolean; force?: boolean }) =>
        schemaWipeCommand(context, options),
      ),
    );
  schema
    .command('approve')
    .description('keep the data when a reindex is required: clear the reason, adopt the current models')
    .addHelpText('after', examples('hookdex schema approve'))
    .action(action((context) => schemaApproveCommand(context)));
  schema
    .command('export')
    .description("print the SQL of the project's tables and its sql/on_reindex scripts")
    .addHelpText('after', examples('hookdex schema export > schema.sql'))
    .action(action((context) => schemaExportCommand(context)));

  const config = program.command('config').description('inspect the configuration');
  config
    .command('export')
    .description('print the merged configuration with the environment resolved and secrets masked')
    .addHelpText('after', examples('hookdex -c hookdex.yaml -c prod.yaml --env-file .env config export'))
    .action(action((context) => configExportCommand(context)));
  config
    .command('env')
    .description('print the environment variables the configuration uses, as a dotenv file')
    .addHelpText('after', examples('hookdex config env > .env.example'))
    .action(action((context) => configEnvCommand(context)));
  config
    .command('schema')
    .description('print the JSON Schema of hookdex.yaml')
    .addHelpText('after', examples('hookdex config schema > hookdex.schema.json'))
    .action(action((context) => configSchemaCommand(context)));

  const jobs = program.command('jobs').description('inspect the jobs');
  jobs
    .command('list')
    .description('list each job with its hook, trigger, time zone and next three fire times')
    .option('--from <datetime>', 'compute fire times from this ISO 8601 date-time instead of now')
    .addHelpText('after', examples('hookdex jobs list', 'hookdex jobs list --from 2025-01-01T00:00:00Z'))
    .action(action((context, options: { from?: string }) => jobsListCommand(context, options)));

  const hook = program.command('hook').description('fire hooks from the shell');
  hook
    .command('fire')
    .description('fire a user hook once against the configured database, arguments checked by its types')
    .argument('<name>', 'the hook, as declared under hooks:')
    .addOption(
      new Option('-a, --arg <key=value>', 'an argument, read by its declared type; repeatable').argParser(
        (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
      ),
    )
    .addHelpText(
      'after',
      examples(
        'hookdex hook fire calculate_stats --arg major=true --arg depth=2',
        "hookdex hook fire rebalance --arg amount=12.5 --arg 'tokens=[HDX, ETH]' --arg at=2025-01-01T00:00:00Z",
      ),
    )
    .action(
      action((context, name: string, options: { arg?: string[] }) =>
        hookFireCommand(context, name, { arg: options.arg ?? [] }),
      ),
    );

  return program;
}
