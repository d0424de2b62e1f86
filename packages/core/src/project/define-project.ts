import type { EntityList } from '../database/create-data-source.js';

/**
 * What a project's entry (`src/index.ts`) exports as default: its models and, once the indexing
 * runtime exists, the datasource kinds it brings. `hookdex run` imports it before anything else.
 */
export interface HookdexProject {
  /** TypeORM entities (classes or `EntitySchema`s) of the project's tables. */
  entities?: EntityList;
}

/** Identity function that types a project entry: `export default defineProject({ entities: [...] })`. */
export function defineProject(project: HookdexProject): HookdexProject {
  return project;
}
