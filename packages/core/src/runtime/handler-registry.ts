import type { HandlerContext } from '../context/handler-context.js';

/** An index handler: receives its context (inside the level's transaction) and one matched item. */
// biome-ignore lint/suspicious/noExplicitAny: items are typed by the index kind and the project.
export type HandlerCallback<Item = any> = (ctx: HandlerContext, item: Item) => unknown;

/** Handler callbacks by name (`on_transfer`, `tokens.on_transfer`); the CLI fills it from `handlers/**`. */
export class HandlerRegistry {
  private readonly callbacks = new Map<string, HandlerCallback>();

  register(name: string, callback: HandlerCallback): this {
    if (typeof callback !== 'function') {
      throw new TypeError(`Handler "${name}": expected a function, found ${typeof callback}.`);
    }
    if (this.callbacks.has(name)) throw new Error(`Handler "${name}" is registered twice.`);
    this.callbacks.set(name, callback);
    return this;
  }

  get(name: string): HandlerCallback | undefined {
    return this.callbacks.get(name);
  }

  has(name: string): boolean {
    return this.callbacks.has(name);
  }
}
