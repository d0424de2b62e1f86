import { ConfigurationError, type IndexKind } from '@hookdex/core';
import type { EvmEvent } from './evm-event.js';

/**
 * The `evm.events` index kind: a handler `{ callback, event: Transfer }` receives every decoded log
 * of that event; `contract: 0x…` narrows it to one emitter (compared case-insensitively).
 */
export const evmEventsKind: IndexKind<EvmEvent> = {
  matches(handler, item) {
    for (const [key, expected] of Object.entries(handler.match)) {
      if (key === 'event') {
        if (item.event !== expected) return false;
      } else if (key === 'contract') {
        if (typeof expected !== 'string' || item.address.toLowerCase() !== expected.toLowerCase())
          return false;
      } else {
        throw new ConfigurationError({
          path: `indexes.*.handlers (callback ${handler.callback})`,
          expected: 'an evm.events handler to match on `event` and optionally `contract`',
          found: `the key \`${key}\``,
          hint: 'remove the key, or match on `event: <EventName>`',
        });
      }
    }
    return true;
  },
};
