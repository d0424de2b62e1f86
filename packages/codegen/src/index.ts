export {
  callbackNameOf,
  HOOK_EXTENSIONS,
  hookFile,
  hookFunctionName,
  hookSqlDirectory,
  moduleSpecifierFrom,
} from './hook-paths.js';
export type { InitProjectOptions, InitProjectReport } from './init-project.js';
export { initProject } from './init-project.js';
export {
  GENERATED_MARKER,
  HOOK_DECLARATIONS_FILE,
  renderHookDeclarations,
} from './render-hook-declarations.js';
export { renderHookStub } from './render-hook-stub.js';
export type { TypeScriptTarget } from './to-typescript.js';
export { argumentsType, propertyKey, toTypeScript } from './to-typescript.js';
export { TypeImports } from './type-imports.js';
