// Module hooks (node:module `register`) that `hookdex` installs before it imports a project's code.
// They run on Node.js's loader thread: keep this file free of imports.
import type { InitializeHook, ResolveHook } from 'node:module';

/** What `registerProjectLoader` passes to the hooks. */
export interface FallbackResolveData {
  /** `file:` URL of the project directory, ending in `/`. */
  readonly projectUrl: string;
  /** `file:` URL of a module of the CLI: bare imports are retried from there. */
  readonly fallbackParentUrl: string;
}

let data: FallbackResolveData | undefined;

export const initialize: InitializeHook<FallbackResolveData> = (options) => {
  data = options;
};

/**
 * A bare import (`@hookdex/core`, `typeorm`) from the project's code that the project cannot
 * resolve itself is resolved from the CLI instead. A project with its own `node_modules` uses
 * them; a project run by a globally installed `hookdex` (or by this repository's tests, which do
 * not install the scaffold) gets the CLI's copies.
 */
export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (
      data === undefined ||
      (error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND' ||
      !isBare(specifier) ||
      context.parentURL === undefined ||
      !context.parentURL.startsWith(data.projectUrl)
    ) {
      throw error;
    }
    return nextResolve(specifier, { ...context, parentURL: data.fallbackParentUrl });
  }
};

function isBare(specifier: string): boolean {
  return !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
}
