import { type HookConfig, isSystemHook, type SystemHookName } from '@hookdex/core';
import { hookFile, hookFunctionName, hookSqlDirectory } from './hook-paths.js';
import { argumentsType } from './to-typescript.js';
import { TypeImports } from './type-imports.js';

// What each system hook is for, as the stub's doc comment says it (SPEC §4).
const SYSTEM_HOOK_DOCS: Record<SystemHookName, string> = {
  on_reindex:
    'System hook: the database is new or was wiped. Runs after the tables are created, before indexing.',
  on_restart: 'System hook: runs on every start, after `on_reindex`, before indexes start.',
  on_synchronized: 'System hook: runs each time every index has reached realtime.',
  on_index_rollback:
    'System hook: a datasource reported a reorg. `ctx.rollback` reverts the database to `toLevel`;\n * remove that call to handle rollbacks yourself.',
};

// NOTE: one line per parameter once the signature would pass this width, as formatters do.
const LINE_WIDTH = 100;

/**
 * The stub `hookdex init` writes for a hook: its default export takes the context and the declared
 * arguments as one object, and runs the hook's SQL scripts (`ctx.executeSql('<name>')`); the
 * stub of `on_index_rollback` also calls `ctx.rollback(...)`.
 */
export function renderHookStub(hook: HookConfig): string {
  const file = hookFile(hook.name);
  const functionName = hookFunctionName(hook.name);
  const imports = new TypeImports([functionName, 'ctx', 'args']);
  const parameters = [`ctx: ${imports.use('@hookdex/core', 'HookContext')}`];
  if (hook.args.length > 0) parameters.push(`args: ${argumentsType(hook.args, { file, imports }, '  ')}`);
  const body = [`await ctx.executeSql('${hook.name}');`];
  if (hook.name === 'on_index_rollback') {
    body.push('await ctx.rollback(args.index, args.fromLevel, args.toLevel);');
  }
  const head = `export default async function ${functionName}(`;
  const tail = '): Promise<void> {';
  const oneLine = `${head}${parameters.join(', ')}${tail}`;
  const signature =
    oneLine.length <= LINE_WIDTH && !oneLine.includes('\n')
      ? oneLine
      : [head, ...parameters.map((parameter) => `  ${parameter},`), tail].join('\n');
  return [
    ...imports.render(),
    '',
    `/**\n * ${docOf(hook)}\n */`,
    signature,
    ...body.map((line) => `  ${line}`),
    '}',
    '',
  ].join('\n');
}

function docOf(hook: HookConfig): string {
  if (isSystemHook(hook.name)) return SYSTEM_HOOK_DOCS[hook.name];
  const mode = hook.atomic ? 'atomic: runs in one transaction' : 'not atomic';
  return `Hook \`${hook.name}\` (${mode}), fired with \`ctx.fireHook('${hook.name}', ...)\` or by a job.\n * Runs the scripts of ${hookSqlDirectory(hook.name)}/; remove the \`executeSql\` call to opt out.`;
}
