import type { HookContext } from '../context/hook-context.js';
import { CallbackRegistry } from './callback-registry.js';

/** A hook's code: receives its context and its arguments by name. */
// biome-ignore lint/suspicious/noExplicitAny: hook argument types are declared per hook by codegen.
export type HookCallback<Args = any> = (ctx: HookContext, args: Args) => unknown;

/** Hook callbacks by name; the CLI fills it from `hooks/**`. */
export class HookRegistry extends CallbackRegistry<HookCallback> {
  constructor() {
    super('Hook');
  }
}
