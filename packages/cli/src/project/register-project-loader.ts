import { existsSync } from 'node:fs';
import { register as registerModuleHooks } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { register as registerTypeScriptRequire } from 'tsx/cjs/api';
import { register as registerTypeScript } from 'tsx/esm/api';
import type { FallbackResolveData } from './fallback-resolve-hooks.js';

let registeredFor: string | undefined;

/**
 * Lets this process import the project's TypeScript without a build step: tsx (esbuild) compiles
 * each file as it is imported, with the project's tsconfig.json (so `experimentalDecorators`
 * applies exactly as with tsc), as real ES modules in Node.js's own module graph. Compiled
 * JavaScript loads the same way. Bare imports the project cannot resolve fall back to the CLI's
 * dependencies (see fallback-resolve-hooks.ts). Once per process.
 */
export function registerProjectLoader(projectDir: string): void {
  if (registeredFor === projectDir) return;
  if (registeredFor !== undefined) {
    throw new Error(`The project loader is registered for ${registeredFor}; cannot load ${projectDir} too.`);
  }
  const tsconfig = path.join(projectDir, 'tsconfig.json');
  registerTypeScript({ tsconfig: existsSync(tsconfig) ? tsconfig : false });
  // NOTE: files of a package without `"type": "module"` are CommonJS to Node.js; tsx compiles
  // those through its require hook, or Node.js would reject their import/export syntax.
  registerTypeScriptRequire();
  const data: FallbackResolveData = {
    projectUrl: pathToFileURL(`${path.resolve(projectDir)}${path.sep}`).href,
    fallbackParentUrl: import.meta.url,
  };
  registerModuleHooks('./fallback-resolve-hooks.js', import.meta.url, { data });
  registeredFor = projectDir;
}
