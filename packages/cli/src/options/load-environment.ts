import { readFile } from 'node:fs/promises';
import { parseEnv } from 'node:util';
import { UsageError } from '../errors/usage-error.js';

/**
 * The environment `${VAR}` placeholders are read from: the `--env-file` files in order (a later
 * file overrides an earlier one), under the process environment, which wins, as with Node.js's own
 * `--env-file` and dotenv. Values from files are also copied into `process.env` where unset, so
 * the project's code sees them too.
 */
export async function loadEnvironment(
  files: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
): Promise<Record<string, string | undefined>> {
  const fromFiles: Record<string, string> = {};
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new UsageError(`--env-file ${file}: expected a readable dotenv file, found ${reason}`, {
        cause: error,
      });
    }
    for (const [name, value] of Object.entries(parseEnv(text))) {
      if (value !== undefined) fromFiles[name] = value;
    }
  }
  for (const [name, value] of Object.entries(fromFiles)) {
    if (environment[name] === undefined) environment[name] = value;
  }
  return { ...fromFiles, ...environment };
}
