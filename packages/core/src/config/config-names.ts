import { SYSTEM_HOOK_NAMES as SYSTEM_HOOKS_LIST } from '../hooks/system-hooks.js';

/** The system hooks every project has; their names cannot be used for user hooks. */
export const SYSTEM_HOOK_NAMES: readonly string[] = SYSTEM_HOOKS_LIST;

/** Argument names a hook cannot declare: `ctx` is its context; `name` and `wait` are `fireHook`'s. */
export const RESERVED_ARGUMENT_NAMES: readonly string[] = ['ctx', 'name', 'wait'];

/** A callback name: snake_case segments, dots for nesting (`stats.daily` is `hooks/stats/daily.ts`). */
export const CALLBACK_NAME = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/;

// NOTE: spelt out instead of the `i` flag: JSON Schema patterns have no flags.
/** An argument name: an identifier. */
export const ARGUMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Tables whose names start with this prefix are hookdex's own: never journaled, never immune. */
export const INTERNAL_TABLE_PREFIX = 'hookdex_';

export const CALLBACK_NAME_EXPECTED =
  'a callback name: snake_case segments ([a-z_][a-z0-9_]*) separated by dots, such as `calculate_stats` or `stats.daily`';
