import {
  INTERNAL_TABLE_PREFIX,
  InitializationRequiredError,
  loadExternalTypes,
  schemaHash,
} from '@hookdex/core';
import { EX_OK } from '../errors/exit-codes.js';
import { UsageError } from '../errors/usage-error.js';
import { type CommandContext, loadConfiguration } from '../options/command-context.js';
import { loadProject } from '../project/load-project.js';
import { composeApp, connectDatabase, describeDatabase } from '../runtime/compose-app.js';
import { exportSchema } from '../schema/export-schema.js';

/**
 * `hookdex schema init`: what `run` does before it starts indexes and jobs: creates the tables and
 * fires `on_reindex` on a new database, fires `on_restart`, and exits.
 */
export async function schemaInitCommand(context: CommandContext): Promise<number> {
  const { config, logger } = await loadConfiguration(context);
  const project = await loadProject(config, logger);
  const externals = await loadExternalTypes(config);
  // NOTE: without jobs and indexes, so starting schedules nothing and indexes nothing.
  const { app, schema } = composeApp({
    config: { ...config, jobs: {}, indexes: {} },
    logger,
    project,
    externals,
  });
  try {
    await connectDatabase(schema, config);
    const existed = (await schema.getRecord()) !== undefined;
    await app.start();
    context.io.stdout.write(
      existed
        ? `The database was initialized already; fired on_restart (${describeDatabase(config.database)}).\n`
        : `Initialized ${describeDatabase(config.database)}: created the tables, fired on_reindex and on_restart.\n`,
    );
    return EX_OK;
  } finally {
    await app.stop();
  }
}

/**
 * `hookdex schema wipe [--immune] [--force]`: drops the project's tables and views (immune tables
 * too with `--immune`) after a confirmation on the terminal; without a terminal only with `--force`.
 * The schema record goes, so the next start fires `on_reindex`.
 */
export async function schemaWipeCommand(
  context: CommandContext,
  options: { immune?: boolean; force?: boolean },
): Promise<number> {
  const { config, logger } = await loadConfiguration(context);
  const immune = options.immune === true;
  if (options.force !== true && context.io.confirm === undefined) {
    throw new UsageError(
      'schema wipe: expected a confirmation on a terminal, found no terminal (standard input is not a TTY); pass --force to wipe without asking',
    );
  }
  const { app, schema } = composeApp({ config, logger });
  try {
    await connectDatabase(schema, config);
    const kept = new Set(immune ? [] : config.database.immuneTables);
    const objects = (await schema.listObjects()).filter(
      (object) => !kept.has(object.name) && !object.name.startsWith(INTERNAL_TABLE_PREFIX),
    );
    const database = describeDatabase(config.database);
    if (options.force !== true && context.io.confirm !== undefined) {
      const names = objects.map((object) => object.name).join(', ') || 'no tables';
      const confirmed = await context.io.confirm(
        `Drop ${objects.length} tables and views of ${database} (${names})${immune ? ', immune tables included' : ''}? [y/N] `,
      );
      if (!confirmed) {
        context.io.stderr.write('Wipe cancelled: nothing was dropped.\n');
        return EX_OK;
      }
    }
    const dropped = await schema.wipe({ immune });
    const keptNames = [...kept];
    context.io.stdout.write(
      `Wiped ${database}: dropped ${dropped.length} tables and views${dropped.length > 0 ? ` (${dropped.join(', ')})` : ''}` +
        `${keptNames.length > 0 ? `; kept the immune tables ${keptNames.join(', ')}` : ''}. The next start fires on_reindex.\n`,
    );
    return EX_OK;
  } finally {
    await app.stop();
  }
}

/**
 * `hookdex schema approve`: keeps the data when hookdex asks for a reindex: clears the pending
 * reason and adopts the hash of the current models and the configuration of every index.
 */
export async function schemaApproveCommand(context: CommandContext): Promise<number> {
  const { config, logger } = await loadConfiguration(context);
  const project = await loadProject(config, logger);
  const { app, schema, dataSource } = composeApp({ config, logger, project });
  try {
    await connectDatabase(schema, config);
    const record = await schema.getRecord();
    if (record === undefined) {
      throw new InitializationRequiredError(
        `${describeDatabase(config.database)} is not initialized, so there is nothing to approve: run \`hookdex schema init\` or \`hookdex run\``,
      );
    }
    const hash = schemaHash(dataSource);
    const { indexes } = await schema.approve(hash);
    const changes = [
      ...(record.reindex === null ? [] : [`cleared the pending reindex (${record.reindex})`]),
      ...(record.hash === hash ? [] : ['adopted the hash of the current models']),
      ...(indexes.length === 0 ? [] : [`adopted the configuration of the indexes ${indexes.join(', ')}`]),
    ];
    context.io.stdout.write(
      changes.length === 0
        ? 'Nothing to approve: no reindex is pending, and the models and indexes match the database.\n'
        : `Approved the schema of ${describeDatabase(config.database)}: ${changes.join(', ')}.\n`,
    );
    return EX_OK;
  } finally {
    await app.stop();
  }
}

/** `hookdex schema export`: the SQL of the project's tables and its `sql/on_reindex` scripts. */
export async function schemaExportCommand(context: CommandContext): Promise<number> {
  const { config, logger } = await loadConfiguration(context);
  const project = await loadProject(config, logger);
  const sections = await exportSchema(config, project.entities);
  const lines = [
    `-- hookdex schema export (${config.database.kind}): the tables of the project's models, then the`,
    "-- sql/on_reindex scripts that run after they are created. hookdex's own tables are not included.",
  ];
  let source: string | undefined;
  for (const section of sections) {
    if (section.source !== source) {
      lines.push('', `-- ${section.source === 'models' ? 'models' : section.source}`);
      source = section.source;
    }
    lines.push(section.sql);
  }
  if (sections.length === 0) lines.push('', '-- (no models and no sql/on_reindex scripts)');
  context.io.stdout.write(`${lines.join('\n')}\n`);
  return EX_OK;
}
