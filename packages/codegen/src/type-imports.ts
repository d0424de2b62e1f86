/**
 * The `import type` lines a generated file needs, with a unique local name per imported type: two
 * classes called `Token` from different modules become `Token` and `Token_2`.
 */
export class TypeImports {
  // module specifier -> export name -> local name
  private readonly modules = new Map<string, Map<string, string>>();
  private readonly taken = new Set<string>();

  /** @param reserved names the file declares itself (they must not be shadowed by an import). */
  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.taken.add(name);
  }

  /** Imports `exportName` from `specifier` (once) and returns the local name to write. */
  use(specifier: string, exportName: string): string {
    let exports = this.modules.get(specifier);
    if (exports === undefined) {
      exports = new Map();
      this.modules.set(specifier, exports);
    }
    const existing = exports.get(exportName);
    if (existing !== undefined) return existing;
    let local = exportName;
    for (let suffix = 2; this.taken.has(local); suffix++) local = `${exportName}_${suffix}`;
    this.taken.add(local);
    exports.set(exportName, local);
    return local;
  }

  /** The import lines, sorted by module, then by name; empty when nothing was used. */
  render(): string[] {
    return [...this.modules.entries()]
      .sort(([a], [b]) => compareModules(a, b))
      .map(([specifier, exports]) => {
        const names = [...exports.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([exportName, local]) => (exportName === local ? exportName : `${exportName} as ${local}`));
        return `import type { ${names.join(', ')} } from '${specifier}';`;
      });
  }
}

// Packages first, then relative paths, as formatters order imports.
function compareModules(a: string, b: string): number {
  const relativeA = a.startsWith('.');
  const relativeB = b.startsWith('.');
  if (relativeA !== relativeB) return relativeA ? 1 : -1;
  return a.localeCompare(b);
}
