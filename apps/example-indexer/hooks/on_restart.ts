import type { HookContext } from '@hookdex/core';

/**
 * System hook, on every start before indexing: (re)creates the `holder_ranking` view. PostgreSQL
 * has `CREATE OR REPLACE VIEW`; SQLite does not, so its script drops and creates the view.
 */
export default async function on_restart(ctx: HookContext): Promise<void> {
  await ctx.executeSql(`on_restart/${ctx.config.database.kind}`);
}
