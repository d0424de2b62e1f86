import { type ArgType, type HookArgumentConfig, isOptional } from '@hookdex/core';
import { moduleSpecifierFrom } from './hook-paths.js';
import type { TypeImports } from './type-imports.js';

/** Where the TypeScript of a type is written: the file (relative to the project) and its imports. */
export interface TypeScriptTarget {
  /** The generated file, relative to the project directory (`hooks/stats/daily.ts`). */
  readonly file: string;
  readonly imports: TypeImports;
}

/**
 * The TypeScript type of an argument type, the one model shared with config validation and
 * `fireHook` checks: `list[Optional[int]]` -> `Array<number | null | undefined>`. `Decimal` and
 * `module:Export` classes are imported (type-only) into `target`.
 */
export function toTypeScript(type: ArgType, target: TypeScriptTarget): string {
  switch (type.kind) {
    case 'boolean':
      return 'boolean';
    case 'int':
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'bigint':
      return 'bigint';
    case 'decimal':
      return target.imports.use('decimal.js', 'Decimal');
    case 'datetime':
      return 'Date';
    case 'any':
      return 'unknown';
    case 'list': {
      const item = toTypeScript(type.item, target);
      // `T[]` where it reads unambiguously; `Array<T | null>` for unions.
      return /^[\w.$]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case 'dict':
      return `Record<string, ${toTypeScript(type.value, target)}>`;
    case 'optional':
      // NOTE: `checkValue` accepts null and undefined for Optional, so both are allowed here too.
      return `${toTypeScript(type.inner, target)} | null | undefined`;
    case 'external':
      return target.imports.use(moduleSpecifierFrom(target.file, type.module), type.exportName);
    default: {
      const exhaustive: never = type;
      return exhaustive;
    }
  }
}

/**
 * The object type of a hook's arguments, one property per declared argument in declaration order;
 * optional ones (`Optional[T]`, `T | None`, `Any`) become optional properties:
 * `{ major: boolean; depth?: number | null }`. A hook without arguments gets
 * `Record<string, never>`, so passing any argument is an error. Past a width the properties go
 * one per line, indented by `indent`.
 */
export function argumentsType(
  args: readonly HookArgumentConfig[],
  target: TypeScriptTarget,
  indent = '',
): string {
  if (args.length === 0) return 'Record<string, never>';
  const properties = args.map((argument) => {
    const optional = isOptional(argument.type);
    // The `?` already allows undefined; keep `| null` (YAML's and DipDup's None).
    const type =
      argument.type.kind === 'optional'
        ? `${toTypeScript(argument.type.inner, target)} | null`
        : toTypeScript(argument.type, target);
    return `${propertyKey(argument.name)}${optional ? '?' : ''}: ${type}`;
  });
  const inline = `{ ${properties.join('; ')} }`;
  if (inline.length <= INLINE_WIDTH) return inline;
  return ['{', ...properties.map((property) => `${indent}  ${property};`), `${indent}}`].join('\n');
}

// NOTE: keeps generated signatures within a formatter's usual 100-110 columns.
const INLINE_WIDTH = 72;

/** An object key as written in TypeScript: bare when it is an identifier, quoted otherwise. */
export function propertyKey(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`;
}
