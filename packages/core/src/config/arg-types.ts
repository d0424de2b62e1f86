/**
 * The one model of hook argument types, shared by config validation, `fireHook` checks, CLI parsing
 * and codegen. Type strings accept DipDup's names (`bool int float str`, `decimal.Decimal`,
 * `datetime`, `Any`, `list[T]`, `dict[str, T]`, `Optional[T]`, `T | None`) and TypeScript's
 * (`boolean number string bigint`), plus `module:Export` for an external class.
 */
export type ArgType =
  | { kind: 'boolean' }
  | { kind: 'int' }
  | { kind: 'number' }
  | { kind: 'string' }
  | { kind: 'bigint' }
  | { kind: 'decimal' }
  | { kind: 'datetime' }
  | { kind: 'any' }
  | { kind: 'list'; item: ArgType }
  | { kind: 'dict'; value: ArgType }
  | { kind: 'optional'; inner: ArgType }
  | { kind: 'external'; module: string; exportName: string };

const SCALARS: Record<string, ArgType> = {
  bool: { kind: 'boolean' },
  boolean: { kind: 'boolean' },
  int: { kind: 'int' },
  float: { kind: 'number' },
  number: { kind: 'number' },
  str: { kind: 'string' },
  string: { kind: 'string' },
  bigint: { kind: 'bigint' },
  Decimal: { kind: 'decimal' },
  'decimal.Decimal': { kind: 'decimal' },
  datetime: { kind: 'datetime' },
  'datetime.datetime': { kind: 'datetime' },
  Date: { kind: 'datetime' },
  Any: { kind: 'any' },
  'typing.Any': { kind: 'any' },
  any: { kind: 'any' },
};

const GENERICS = new Set(['list', 'List', 'dict', 'Dict', 'Optional']);

/** The type names accepted, for error messages. */
export const KNOWN_TYPE_NAMES =
  'bool, int, float, str, boolean, number, string, bigint, Decimal, datetime, Any, list[T], dict[str, T], Optional[T], T | None, module:Export';

/** Thrown by `parseArgType` with a message that says what is wrong with the type string. */
export class ArgTypeSyntaxError extends Error {
  override name = 'ArgTypeSyntaxError';
}

/** Parses a type string; throws `ArgTypeSyntaxError` when it is not one of the supported forms. */
export function parseArgType(source: string): ArgType {
  if (typeof source !== 'string' || source.trim() === '') {
    throw new ArgTypeSyntaxError(`a type name (${KNOWN_TYPE_NAMES})`);
  }
  const parser = new TypeParser(source);
  const type = parser.parseUnion();
  parser.expectEnd();
  return type;
}

class TypeParser {
  private position = 0;

  constructor(private readonly source: string) {}

  parseUnion(): ArgType {
    const first = this.parsePrimary();
    const members: Array<ArgType | 'None'> = [first];
    while (this.peek() === '|') {
      this.position++;
      members.push(this.parsePrimary());
    }
    if (members.length === 1) return first === 'None' ? this.fail('`None` only in `T | None`') : first;
    const real = members.filter((member): member is ArgType => member !== 'None');
    if (real.length !== 1 || members.length !== 2) {
      this.fail('a union only of the form `T | None`');
    }
    return { kind: 'optional', inner: real[0]! };
  }

  private parsePrimary(): ArgType | 'None' {
    this.skipSpace();
    const name = this.readName();
    if (name === 'None') return 'None';
    this.skipSpace();
    if (this.peek() === '[') {
      if (!GENERICS.has(name)) this.fail(`a generic type (list, dict, Optional), found \`${name}[...]\``);
      this.position++;
      const first = this.parseUnion();
      let second: ArgType | undefined;
      this.skipSpace();
      if (this.peek() === ',') {
        this.position++;
        second = this.parseUnion();
      }
      this.skipSpace();
      if (this.peek() !== ']') this.fail('`]`');
      this.position++;
      switch (name) {
        case 'list':
        case 'List':
          if (second !== undefined) this.fail('one type argument in list[T]');
          return { kind: 'list', item: first };
        case 'dict':
        case 'Dict':
          if (second === undefined || first.kind !== 'string') this.fail('dict[str, T] (keys are strings)');
          return { kind: 'dict', value: second };
        default:
          if (second !== undefined) this.fail('one type argument in Optional[T]');
          return { kind: 'optional', inner: first };
      }
    }
    if (GENERICS.has(name)) {
      if (name === 'list' || name === 'List') return { kind: 'list', item: { kind: 'any' } };
      if (name === 'dict' || name === 'Dict') return { kind: 'dict', value: { kind: 'any' } };
      this.fail('Optional[T]');
    }
    const scalar = SCALARS[name];
    if (scalar !== undefined) return scalar;
    const colon = name.lastIndexOf(':');
    if (colon > 0 && colon < name.length - 1) {
      const exportName = name.slice(colon + 1);
      if (!/^[A-Za-z_$][\w$]*$/.test(exportName))
        this.fail(`an export name after \`:\`, found \`${exportName}\``);
      return { kind: 'external', module: name.slice(0, colon), exportName };
    }
    return this.fail(`one of ${KNOWN_TYPE_NAMES}; \`${name}\` is not a known type`);
  }

  private readName(): string {
    const match = /^[A-Za-z0-9_$@./:-]+/.exec(this.source.slice(this.position));
    if (match === null) this.fail('a type name');
    this.position += match![0].length;
    return match![0];
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.position !== this.source.length)
      this.fail(`the end of the type, found \`${this.source.slice(this.position)}\``);
  }

  private peek(): string | undefined {
    this.skipSpace();
    return this.source[this.position];
  }

  private skipSpace(): void {
    while (this.source[this.position] === ' ') this.position++;
  }

  private fail(expected: string): never {
    throw new ArgTypeSyntaxError(expected);
  }
}

/** A readable name of a type, as in messages: `list[int]`, `Optional[str]`. */
export function formatArgType(type: ArgType): string {
  switch (type.kind) {
    case 'boolean':
      return 'bool';
    case 'int':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'str';
    case 'bigint':
      return 'bigint';
    case 'decimal':
      return 'Decimal';
    case 'datetime':
      return 'datetime';
    case 'any':
      return 'Any';
    case 'list':
      return `list[${formatArgType(type.item)}]`;
    case 'dict':
      return `dict[str, ${formatArgType(type.value)}]`;
    case 'optional':
      return `Optional[${formatArgType(type.inner)}]`;
    case 'external':
      return `${type.module}:${type.exportName}`;
    default: {
      const exhaustive: never = type;
      return String(exhaustive);
    }
  }
}

/** True when the argument may be omitted (or null). */
export function isOptional(type: ArgType): boolean {
  return type.kind === 'optional' || type.kind === 'any';
}

/** Resolves `module:Export` types to constructors; callers load them once, at startup. */
export type ExternalTypes = ReadonlyMap<string, unknown>;

/** The key under which an external type's constructor is kept in `ExternalTypes`. */
export function externalKey(type: { module: string; exportName: string }): string {
  return `${type.module}:${type.exportName}`;
}

/** A mismatch found by `checkValue`: the path inside the value and what was found there. */
export interface TypeMismatch {
  /** Where inside the value, e.g. `[2]` or `.owner`; empty for the value itself. */
  at: string;
  expected: string;
  actual: string;
}

/**
 * Checks `value` against `type`, generics included (DipDup ignores them). Returns the first
 * mismatch, or undefined. External types are checked with `instanceof` against `externals`.
 */
export function checkValue(
  type: ArgType,
  value: unknown,
  externals?: ExternalTypes,
  at = '',
): TypeMismatch | undefined {
  const mismatch = (expected = formatArgType(type)): TypeMismatch => ({
    at,
    expected,
    actual: describeType(value),
  });
  switch (type.kind) {
    case 'any':
      return undefined;
    case 'optional':
      return value === null || value === undefined ? undefined : checkValue(type.inner, value, externals, at);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : mismatch();
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value) ? undefined : mismatch();
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : mismatch();
    case 'string':
      return typeof value === 'string' ? undefined : mismatch();
    case 'bigint':
      return typeof value === 'bigint' ? undefined : mismatch();
    case 'decimal':
      return isDecimal(value) ? undefined : mismatch();
    case 'datetime':
      return value instanceof Date && !Number.isNaN(value.getTime()) ? undefined : mismatch();
    case 'list': {
      if (!Array.isArray(value)) return mismatch();
      for (let index = 0; index < value.length; index++) {
        const inner = checkValue(type.item, value[index], externals, `${at}[${index}]`);
        if (inner !== undefined) return inner;
      }
      return undefined;
    }
    case 'dict': {
      if (!isPlainObject(value)) return mismatch();
      for (const [key, item] of Object.entries(value)) {
        const inner = checkValue(type.value, item, externals, `${at}.${key}`);
        if (inner !== undefined) return inner;
      }
      return undefined;
    }
    case 'external': {
      const loaded = externals?.get(externalKey(type));
      if (typeof loaded !== 'function') return mismatch(`${formatArgType(type)} (not loaded)`);
      return value instanceof (loaded as new (...args: never[]) => unknown) ? undefined : mismatch();
    }
    default: {
      const exhaustive: never = type;
      return exhaustive;
    }
  }
}

/** decimal.js `Decimal`, from any copy of decimal.js (its own `isDecimal` test, by tag). */
export function isDecimal(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    ((value as { toStringTag?: unknown }).toStringTag === '[object Decimal]' ||
      (value as { constructor?: { name?: unknown } }).constructor?.name === 'Decimal')
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The type of a value as messages show it: `int`, `str`, `list`, `Date`, `MyClass`. */
export function describeType(value: unknown): string {
  if (value === null) return 'None';
  if (value === undefined) return 'nothing';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : Number.isFinite(value) ? 'float' : String(value);
    case 'string':
      return 'str';
    case 'bigint':
      return 'bigint';
    case 'function':
      return 'function';
    case 'symbol':
      return 'symbol';
    default:
      break;
  }
  if (Array.isArray(value)) return 'list';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid datetime' : 'datetime';
  if (isDecimal(value)) return 'Decimal';
  if (isPlainObject(value)) return 'dict';
  return (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
}
