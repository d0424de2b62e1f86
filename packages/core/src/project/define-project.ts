import type { EntityList } from '../database/create-data-source.js';
import type { DatasourceFactory } from '../runtime/datasource.js';
import type { IndexKind } from '../runtime/index-kind.js';

/**
 * What a project's entry (`src/index.ts`) exports as default: its models and the datasource and
 * index kinds it brings. `hookdex run` imports it before anything else.
 */
export interface HookdexProject {
  /** TypeORM entities (classes or `EntitySchema`s) of the project's tables. */
  entities?: EntityList;
  /** Datasource kinds by name (`evm.node`): `datasources.<name>.kind` in hookdex.yaml picks one. */
  datasources?: Readonly<Record<string, DatasourceFactory>>;
  /** Index kinds by name: `indexes.<name>.kind` picks one. */
  indexKinds?: Readonly<Record<string, IndexKind>>;
}

/** Identity function that types a project entry: `export default defineProject({ entities: [...] })`. */
export function defineProject(project: HookdexProject): HookdexProject {
  return project;
}
