import type { FireHookOptions } from '../context/base-context.js';

/**
 * Filled by the `types/hooks.d.ts` that `hookdex init` generates, through declaration merging:
 * `declare module '@hookdex/core' { interface HookdexRegister { hooks: HookArguments } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: declaration merging fills it from generated code.
export interface HookdexRegister {}

/** Every hook's arguments by name: the generated map, or any name and arguments before `hookdex init`. */
export type RegisteredHooks = HookdexRegister extends { hooks: infer Hooks extends object }
  ? Hooks
  : Record<string, Record<string, unknown>>;

/** A hook name `fireHook` accepts. */
export type HookName = keyof RegisteredHooks & string;

/** `fireHook`'s parameters after the name; the arguments may be left out when none is required. */
// biome-ignore lint/complexity/noBannedTypes: `{} extends T` asks whether every property of T is optional.
export type FireHookArguments<Name extends HookName> = {} extends RegisteredHooks[Name]
  ? [args?: RegisteredHooks[Name], options?: FireHookOptions]
  : [args: RegisteredHooks[Name], options?: FireHookOptions];
