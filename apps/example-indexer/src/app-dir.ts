import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The example's directory (where hookdex.yaml, sql/ and contracts/ are): the nearest directory
 * above this module with a hookdex.yaml, so it is found from src/ (tests) and dist/src/ (built).
 */
export function appDir(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(directory, 'hookdex.yaml'))) return directory;
    const parent = path.dirname(directory);
    if (parent === directory) {
      throw new Error(
        `Found no hookdex.yaml above ${fileURLToPath(import.meta.url)}: the example app's files are incomplete; ` +
          'reinstall the repository or pass --config.',
      );
    }
    directory = parent;
  }
}
