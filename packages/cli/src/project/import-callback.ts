import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigurationError } from '@hookdex/core';

/** Imports a module of the project; a module that fails to load is a `ConfigurationError` naming it. */
export async function importProjectModule(
  file: string,
  projectDir: string,
): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigurationError(
      {
        file: path.relative(projectDir, file),
        expected: 'a module that loads',
        found: `an error while importing it: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        hint: 'fix the module; `--log-level debug` shows the stack trace',
      },
      { cause: error },
    );
  }
}

/**
 * A module's default export. CommonJS compiled from ES modules (`tsc` with `module: commonjs`, or a
 * `.ts` file in a package without `"type": "module"`) puts it at `exports.default` and marks the
 * exports `__esModule`; Node.js then hands the whole `exports` object over as the default.
 */
export function defaultExport(module: Record<string, unknown>): unknown {
  const value = module.default;
  if (
    typeof value === 'object' &&
    value !== null &&
    (value as { __esModule?: unknown }).__esModule === true
  ) {
    return (value as { default?: unknown }).default;
  }
  return value;
}

/**
 * The default export of a hook or handler file, which must be a function:
 * `export default async function calculate_stats(ctx, args) { ... }`.
 */
export async function importCallback(options: {
  file: string;
  projectDir: string;
  kind: 'hook' | 'handler';
  name: string;
}): Promise<(...args: never[]) => unknown> {
  const module = await importProjectModule(options.file, options.projectDir);
  const callback = defaultExport(module);
  if (typeof callback !== 'function') {
    const functionName = options.name.slice(options.name.lastIndexOf('.') + 1);
    throw new ConfigurationError({
      file: path.relative(options.projectDir, options.file),
      expected: `the ${options.kind} \`${options.name}\` as the default export (\`export default async function ${functionName}(ctx, ...)\`)`,
      found: callback === undefined ? 'no default export' : `a default export of type ${typeof callback}`,
    });
  }
  return callback as (...args: never[]) => unknown;
}
