import { createHash } from 'node:crypto';
import type { IndexConfig } from '../config/config-types.js';

/** A hash of what an index is configured to do: a change means its data may be wrong. */
export function hashIndexConfig(config: IndexConfig): string {
  const canonical = JSON.stringify(config, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : value,
  );
  return createHash('sha256').update(canonical).digest('hex');
}
