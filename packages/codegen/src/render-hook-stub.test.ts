import { type HookConfig, parseArgType, SYSTEM_HOOKS } from '@hookdex/core';
import { describe, expect, it } from 'vitest';
import { renderHookStub } from './render-hook-stub.js';

const hook = (name: string, args: Record<string, string> = {}, atomic = false): HookConfig => ({
  name,
  callback: name,
  atomic,
  args: Object.entries(args).map(([argument, typeName]) => ({
    name: argument,
    typeName,
    type: parseArgType(typeName),
  })),
});

describe('renderHookStub', () => {
  it('writes the seed hook with its declared argument types and the default SQL call', () => {
    expect(renderHookStub(hook('calculate_stats', { major: 'bool', depth: 'Optional[int]' }))).toBe(
      `import type { HookContext } from '@hookdex/core';

/**
 * Hook \`calculate_stats\` (not atomic), fired with \`ctx.fireHook('calculate_stats', ...)\` or by a job.
 * Runs the scripts of sql/calculate_stats/; remove the \`executeSql\` call to opt out.
 */
export default async function calculate_stats(
  ctx: HookContext,
  args: { major: boolean; depth?: number | null },
): Promise<void> {
  await ctx.executeSql('calculate_stats');
}
`,
    );
  });

  it('names a nested hook’s function after its last segment and runs its full dotted SQL name', () => {
    const stub = renderHookStub(hook('stats.daily', {}, true));
    expect(stub).toContain('export default async function daily(ctx: HookContext): Promise<void> {');
    expect(stub).toContain("await ctx.executeSql('stats.daily');");
    expect(stub).toContain('atomic: runs in one transaction');
  });

  it('imports the types the signature needs', () => {
    const stub = renderHookStub(hook('stats.weekly', { amount: 'Decimal', token: './src/models.js:Token' }));
    expect(stub.split('\n').slice(0, 3)).toEqual([
      "import type { HookContext } from '@hookdex/core';",
      "import type { Decimal } from 'decimal.js';",
      "import type { Token } from '../../src/models.js';",
    ]);
    expect(stub).toContain('args: { amount: Decimal; token: Token },');
  });

  it('writes system hooks without arguments', () => {
    for (const name of ['on_restart', 'on_reindex', 'on_synchronized'] as const) {
      const stub = renderHookStub(SYSTEM_HOOKS[name]);
      expect(stub).toContain(`export default async function ${name}(ctx: HookContext): Promise<void> {`);
      expect(stub).toContain(`await ctx.executeSql('${name}');`);
      expect(stub).toContain('System hook');
    }
  });

  it('makes on_index_rollback run its SQL and then roll the database back', () => {
    const stub = renderHookStub(SYSTEM_HOOKS.on_index_rollback);
    expect(stub).toContain('args: { index: string; fromLevel: number; toLevel: number },');
    const body = stub.slice(stub.indexOf('{\n  await'));
    expect(body).toBe(
      "{\n  await ctx.executeSql('on_index_rollback');\n  await ctx.rollback(args.index, args.fromLevel, args.toLevel);\n}\n",
    );
  });
});
