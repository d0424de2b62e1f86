import type { HandlerContext } from '../context/handler-context.js';
import { CallbackRegistry } from '../hooks/callback-registry.js';

/** An index handler: receives its context (inside the level's transaction) and one matched item. */
// biome-ignore lint/suspicious/noExplicitAny: items are typed by the index kind and the project.
export type HandlerCallback<Item = any> = (ctx: HandlerContext, item: Item) => unknown;

/** Handler callbacks by name (`on_transfer`, `tokens.on_transfer`); the CLI fills it from `handlers/**`. */
export class HandlerRegistry extends CallbackRegistry<HandlerCallback> {
  constructor() {
    super('Handler');
  }
}
