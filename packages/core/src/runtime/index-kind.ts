import type { IndexHandlerConfig } from '../config/config-types.js';

/** How an index kind matches a level's items to its handlers. */
export interface IndexKind<Item = unknown> {
  /** True when `handler` should receive `item`. */
  matches(handler: IndexHandlerConfig, item: Item): boolean;
}

/**
 * A kind that matches an item when every key of the handler's match (`event: Transfer`,
 * `contract: token`) equals the item's property of the same name.
 */
export const fieldMatchIndexKind: IndexKind = {
  matches(handler, item) {
    if (typeof item !== 'object' || item === null) return false;
    const record = item as Record<string, unknown>;
    return Object.entries(handler.match).every(([key, value]) => record[key] === value);
  },
};
