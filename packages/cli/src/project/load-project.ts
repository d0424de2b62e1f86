import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  ConfigurationError,
  type DatasourceFactory,
  type EntityList,
  type HandlerCallback,
  HandlerRegistry,
  type HookCallback,
  type HookdexConfig,
  type HookdexProject,
  HookRegistry,
  type IndexKind,
  type Logger,
  SYSTEM_HOOK_NAMES,
} from '@hookdex/core';
import { discoverCallbacks } from './discover-callbacks.js';
import { defaultExport, importCallback, importProjectModule } from './import-callback.js';
import { registerProjectLoader } from './register-project-loader.js';

/** A project's code, loaded: what `hookdex run` hands to the runtime. */
export interface LoadedProject {
  /** The entry file (`src/index.ts`), if the project has one. */
  readonly entry: string | undefined;
  /** TypeORM entities from the entry's `defineProject({ entities })`. */
  readonly entities: EntityList;
  /** Every configured hook and system hook that has a file below `hooks/`. */
  readonly hooks: HookRegistry;
  /** Every handler the configured indexes name. */
  readonly handlers: HandlerRegistry;
  /** Datasource kinds from the entry's `defineProject({ datasources })`. */
  readonly datasources: Readonly<Record<string, DatasourceFactory>>;
  /** Index kinds from the entry's `defineProject({ indexKinds })`. */
  readonly indexKinds: Readonly<Record<string, IndexKind>>;
}

/** Where `hookdex run` looks for the project's entry, in order. */
export const ENTRY_FILES = ['src/index.ts', 'src/index.mts', 'src/index.js', 'src/index.mjs'];

/**
 * Imports a project's code without a build step: the entry (`src/index.ts`, default export
 * `defineProject({ entities })`), the hooks under `hooks/` (only those the configuration declares,
 * plus system hooks) and the handlers the indexes name under `handlers/`. Every file must load
 * and default-export a function; a missing handler is an error here, a missing hook is reported by
 * `HookdexApp.start` (which names them all).
 */
export async function loadProject(config: HookdexConfig, logger: Logger): Promise<LoadedProject> {
  const projectDir = config.projectDir;
  registerProjectLoader(projectDir);
  const entry = ENTRY_FILES.map((file) => path.join(projectDir, file)).find((file) => existsSync(file));
  const project = entry === undefined ? {} : await loadEntry(entry, projectDir);
  const hooks = new HookRegistry();
  const wanted = new Set<string>([...SYSTEM_HOOK_NAMES, ...Object.keys(config.hooks)]);
  for (const [name, file] of await discoverCallbacks(path.join(projectDir, 'hooks'))) {
    if (!wanted.has(name)) {
      logger.warn('Ignored hook file without a hook in the configuration', {
        file: path.relative(projectDir, file),
        hook: name,
      });
      continue;
    }
    const callback = await importCallback({ file, projectDir, kind: 'hook', name });
    hooks.register(name, callback as HookCallback);
  }
  const handlers = await loadHandlers(config, projectDir);
  logger.debug('Loaded project', {
    entry: entry === undefined ? null : path.relative(projectDir, entry),
    hooks: hooks.names().length,
    handlers: new Set(
      Object.values(config.indexes).flatMap((index) => index.handlers.map((handler) => handler.callback)),
    ).size,
  });
  return {
    entry,
    entities: project.entities ?? [],
    hooks,
    handlers,
    datasources: project.datasources ?? {},
    indexKinds: project.indexKinds ?? {},
  };
}

async function loadEntry(entry: string, projectDir: string): Promise<HookdexProject> {
  const module = await importProjectModule(entry, projectDir);
  const project = defaultExport(module);
  const file = path.relative(projectDir, entry);
  if (typeof project !== 'object' || project === null || Array.isArray(project)) {
    throw new ConfigurationError({
      file,
      expected: 'a default export `defineProject({ entities: [...] })`',
      found: project === undefined ? 'no default export' : `a default export of type ${typeof project}`,
    });
  }
  const { entities, datasources, indexKinds } = project as HookdexProject;
  if (entities !== undefined && !Array.isArray(entities)) {
    throw new ConfigurationError({
      file,
      path: 'entities',
      expected: 'a list of TypeORM entities (classes or EntitySchemas)',
      found: typeof entities,
    });
  }
  for (const [key, kinds] of Object.entries({ datasources, indexKinds })) {
    if (kinds !== undefined && (typeof kinds !== 'object' || kinds === null || Array.isArray(kinds))) {
      throw new ConfigurationError({
        file,
        path: key,
        expected: 'kinds by name (`{ "evm.node": factory }`)',
        found: Array.isArray(kinds) ? 'a list' : typeof kinds,
      });
    }
  }
  return project as HookdexProject;
}

async function loadHandlers(config: HookdexConfig, projectDir: string): Promise<HandlerRegistry> {
  const handlers = new HandlerRegistry();
  const files = await discoverCallbacks(path.join(projectDir, 'handlers'));
  for (const [indexName, index] of Object.entries(config.indexes)) {
    for (const [position, handler] of index.handlers.entries()) {
      if (handlers.has(handler.callback)) continue;
      const file = files.get(handler.callback);
      if (file === undefined) {
        throw new ConfigurationError({
          file: config.files[0],
          path: `indexes.${indexName}.handlers[${position}].callback`,
          expected: `a handler file handlers/${handler.callback.split('.').join('/')}.ts with a default export`,
          found: 'no such file',
          hint: 'create it, or fix the callback name',
        });
      }
      const callback = await importCallback({ file, projectDir, kind: 'handler', name: handler.callback });
      handlers.register(handler.callback, callback as HandlerCallback);
    }
  }
  return handlers;
}
