import type { HookContext } from '@hookdex/core';

/**
 * System hook: the database is new or was wiped; the tables exist, the schema record is not yet
 * written (a failure here runs again next start). It changes the schema in ways the models cannot
 * say: indexes for the handler's queries, and on PostgreSQL exact numeric(78,0) amount columns.
 */
export default async function on_reindex(ctx: HookContext): Promise<void> {
  await ctx.executeSql('on_reindex/common');
  if (ctx.config.database.kind === 'postgres') await ctx.executeSql('on_reindex/postgres');
  ctx.logger.info('Prepared schema', { database: ctx.config.database.kind });
}
