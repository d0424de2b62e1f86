// Every call below the first block must fail to compile because of the generated types/hooks.d.ts;
// the type test also checks that each `@ts-expect-error` is needed because of that file.
import type { HookContext } from '@hookdex/core';
import { Decimal } from 'decimal.js';
import { Token } from './models.js';

export async function fireEveryHook(ctx: HookContext): Promise<void> {
  await ctx.fireHook('calculate_stats', { major: true, depth: 3 });
  await ctx.fireHook('calculate_stats', { major: false, depth: null }, { wait: false });
  await ctx.fireHook('calculate_stats', { major: true });
  await ctx.fireHook('stats.daily');
  await ctx.fireHook('stats.daily', {}, { wait: false });
  await ctx.fireHook('everything', {
    flag: true,
    count: 1,
    ratio: 0.5,
    label: 'x',
    big: 10n,
    amount: new Decimal('1.5'),
    at: new Date(),
    tags: ['a', 'b'],
    weights: { a: 1.5 },
    note: null,
    token: new Token('HDX'),
    tokens: [new Token('A'), new Token('B')],
  });
}

export async function fireWrongly(ctx: HookContext): Promise<void> {
  // @ts-expect-error an unknown hook name (a typo)
  await ctx.fireHook('calculate_stat', { major: true });
  // @ts-expect-error system hooks cannot be fired
  await ctx.fireHook('on_restart');
  // @ts-expect-error a name only known at run time
  await ctx.fireHook(String(Date.now()), {});
  // @ts-expect-error `major` is a bool
  await ctx.fireHook('calculate_stats', { major: 1 });
  // @ts-expect-error `depth` is an Optional[int]
  await ctx.fireHook('calculate_stats', { major: true, depth: '3' });
  // @ts-expect-error `major` is required
  await ctx.fireHook('calculate_stats', { depth: 3 });
  // @ts-expect-error the arguments are required, since `major` is
  await ctx.fireHook('calculate_stats');
  // @ts-expect-error an undeclared argument
  await ctx.fireHook('calculate_stats', { major: true, deep: 2 });
  // @ts-expect-error `stats.daily` declares no arguments
  await ctx.fireHook('stats.daily', { day: 1 });
  const everything = {
    flag: true,
    count: 1,
    ratio: 0.5,
    label: 'x',
    big: 10n,
    amount: new Decimal('1.5'),
    at: new Date(),
    tags: ['a'],
    weights: { a: 1 },
    note: 'n',
    token: new Token('HDX'),
    tokens: [],
  };
  // @ts-expect-error `amount` is a Decimal, not a number
  await ctx.fireHook('everything', { ...everything, amount: 1.5 });
  // @ts-expect-error `big` is a bigint
  await ctx.fireHook('everything', { ...everything, big: 10 });
  // @ts-expect-error `at` is a Date, not a string
  await ctx.fireHook('everything', { ...everything, at: '2024-01-01T00:00:00Z' });
  // @ts-expect-error `tags` is a list[str]
  await ctx.fireHook('everything', { ...everything, tags: [1] });
  // @ts-expect-error `weights` is a dict[str, float]
  await ctx.fireHook('everything', { ...everything, weights: { a: 'heavy' } });
  // @ts-expect-error `token` is a Token instance, not a look-alike object
  await ctx.fireHook('everything', { ...everything, token: { symbol: 'HDX' } });
  // @ts-expect-error `tokens` is a list of Token
  await ctx.fireHook('everything', { ...everything, tokens: ['HDX'] });
}
