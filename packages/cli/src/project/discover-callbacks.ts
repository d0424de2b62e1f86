import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { callbackNameOf, HOOK_EXTENSIONS } from '@hookdex/codegen';

/**
 * The callback files below `directory` (`hooks/` or `handlers/`) by dotted name: `stats/daily.ts`
 * is `stats.daily`. When a name has several files (`daily.ts` and its compiled `daily.js`), the
 * TypeScript source wins. A missing directory has none.
 */
export async function discoverCallbacks(directory: string): Promise<Map<string, string>> {
  let entries: string[];
  try {
    entries = await readdir(directory, { recursive: true, encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const found = new Map<string, string>();
  const rank = (file: string) => HOOK_EXTENSIONS.findIndex((extension) => file.endsWith(extension));
  for (const relative of entries.sort()) {
    const name = callbackNameOf(relative);
    if (name === undefined) continue;
    const file = path.join(directory, relative);
    const previous = found.get(name);
    if (previous === undefined || rank(file) < rank(previous)) found.set(name, file);
  }
  return found;
}
