import type { HookContext } from '../context/hook-context.js';

/** A hook's code: receives its context and its arguments by name. */
// biome-ignore lint/suspicious/noExplicitAny: hook argument types are declared per hook by codegen.
export type HookCallback<Args = any> = (ctx: HookContext, args: Args) => unknown;

/**
 * Hook callbacks by name (`calculate_stats`, `stats.daily`). The CLI fills it from `hooks/**`;
 * programs register their callbacks directly. Registering a name twice is an error.
 */
export class HookRegistry {
  private readonly callbacks = new Map<string, HookCallback>();

  register(name: string, callback: HookCallback): this {
    if (typeof callback !== 'function') {
      throw new TypeError(`Hook "${name}": expected a function, found ${typeof callback}.`);
    }
    if (this.callbacks.has(name)) throw new Error(`Hook "${name}" is registered twice.`);
    this.callbacks.set(name, callback);
    return this;
  }

  get(name: string): HookCallback | undefined {
    return this.callbacks.get(name);
  }

  has(name: string): boolean {
    return this.callbacks.has(name);
  }

  names(): string[] {
    return [...this.callbacks.keys()];
  }
}
