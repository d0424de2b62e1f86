import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigurationError } from '../errors/errors.js';
import { type ArgType, externalKey } from './arg-types.js';
import type { HookdexConfig } from './config-types.js';

/**
 * Imports the classes named by `module:Export` argument types (a package name, or a path relative to
 * the project directory), so `fireHook` can check arguments with `instanceof`. Done once at start.
 */
export async function loadExternalTypes(config: HookdexConfig): Promise<Map<string, unknown>> {
  const loaded = new Map<string, unknown>();
  const require = createRequire(path.join(config.projectDir, 'package.json'));
  for (const hook of Object.values(config.hooks)) {
    for (const argument of hook.args) {
      for (const type of externalTypesOf(argument.type)) {
        const key = externalKey(type);
        if (loaded.has(key)) continue;
        const where = { file: config.files[0], path: `hooks.${hook.name}.args.${argument.name}` };
        let exported: unknown;
        try {
          const specifier = type.module.startsWith('.')
            ? path.resolve(config.projectDir, type.module)
            : require.resolve(type.module);
          const module = (await import(pathToFileURL(specifier).href)) as Record<string, unknown>;
          exported = module[type.exportName];
        } catch (error) {
          throw new ConfigurationError(
            {
              ...where,
              expected: `an importable module \`${type.module}\``,
              found: (error as Error).message,
            },
            { cause: error },
          );
        }
        if (typeof exported !== 'function') {
          throw new ConfigurationError({
            ...where,
            expected: `a class exported as \`${type.exportName}\` by \`${type.module}\``,
            found: exported === undefined ? 'no such export' : typeof exported,
          });
        }
        loaded.set(key, exported);
      }
    }
  }
  return loaded;
}

function* externalTypesOf(type: ArgType): Generator<{ module: string; exportName: string }> {
  switch (type.kind) {
    case 'external':
      yield type;
      break;
    case 'list':
      yield* externalTypesOf(type.item);
      break;
    case 'dict':
      yield* externalTypesOf(type.value);
      break;
    case 'optional':
      yield* externalTypesOf(type.inner);
      break;
    default:
      break;
  }
}
