import type * as z from 'zod';
import { isMapping, type PathSegment } from './merge-documents.js';

interface Definition {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  in?: z.ZodType;
}

const definitionOf = (schema: z.ZodType): Definition => schema._zod.def as unknown as Definition;

/**
 * The schema of the value at `path`, unwrapped (optional, default and similar wrappers removed).
 * `document` picks the member of a discriminated union (the database `kind`).
 */
export function schemaAt(
  schema: z.ZodType,
  path: readonly PathSegment[],
  document: unknown,
): z.ZodType | undefined {
  const { current, value } = walk(schema, path, document);
  return current === undefined ? undefined : resolve(current, value);
}

/**
 * For a key unknown to the union member chosen at `path`, the discriminator value of a member
 * that has it: `postgres` for `url` under `database` with `kind: sqlite`.
 */
export function memberOwningKey(
  schema: z.ZodType,
  path: readonly PathSegment[],
  document: unknown,
  key: string,
): string | undefined {
  let current = walk(schema, path, document).current;
  while (current !== undefined && definitionOf(current).innerType !== undefined) {
    current = definitionOf(current).innerType;
  }
  const definition = current === undefined ? undefined : definitionOf(current);
  const discriminator = definition?.discriminator;
  if (definition?.type !== 'union' || discriminator === undefined) return undefined;
  for (const option of definition.options ?? []) {
    const shape = definitionOf(option).shape;
    const literal = shape?.[discriminator];
    if (shape === undefined || literal === undefined || !Object.hasOwn(shape, key)) continue;
    const [first] = (definitionOf(literal) as { values?: unknown[] }).values ?? [];
    if (typeof first === 'string') return first;
  }
  return undefined;
}

function walk(
  schema: z.ZodType,
  path: readonly PathSegment[],
  document: unknown,
): { current: z.ZodType | undefined; value: unknown } {
  let current: z.ZodType | undefined = schema;
  let value: unknown = document;
  for (const segment of path) {
    current = current === undefined ? undefined : childSchema(resolve(current, value), segment);
    value =
      isMapping(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
  }
  return { current, value };
}

/** The keys an object schema knows, for "unknown key" messages. */
export function knownKeys(schema: z.ZodType | undefined): string[] {
  const shape = schema === undefined ? undefined : definitionOf(schema).shape;
  return shape === undefined ? [] : Object.keys(shape);
}

/** True for `z.int()`, so that messages say "an integer" rather than "a number". */
export function isIntegerSchema(schema: z.ZodType | undefined): boolean {
  if (schema === undefined) return false;
  const definition = definitionOf(schema) as Definition & { format?: string };
  return definition.type === 'number' && (definition.format?.includes('int') ?? false);
}

/** Unwraps optional, default and similar wrappers, and picks the union member the value selects. */
function resolve(schema: z.ZodType, value: unknown): z.ZodType {
  let current = schema;
  for (;;) {
    const definition = definitionOf(current);
    if (definition.innerType !== undefined) current = definition.innerType;
    else if (definition.type === 'pipe' && definition.in !== undefined) current = definition.in;
    else if (definition.type === 'union' && definition.options !== undefined) {
      const selected = selectMember(definition, value);
      if (selected === undefined) return current;
      current = selected;
    } else return current;
  }
}

function selectMember(definition: Definition, value: unknown): z.ZodType | undefined {
  const discriminator = definition.discriminator;
  if (discriminator === undefined || !isMapping(value)) return undefined;
  return definition.options?.find((option) => {
    const literal = definitionOf(option).shape?.[discriminator];
    const values =
      literal === undefined ? [] : ((definitionOf(literal) as { values?: unknown[] }).values ?? []);
    return values.includes(value[discriminator]);
  });
}

function childSchema(schema: z.ZodType, segment: PathSegment): z.ZodType | undefined {
  const definition = definitionOf(schema);
  switch (definition.type) {
    case 'object':
      return typeof segment === 'string' ? definition.shape?.[segment] : undefined;
    case 'record':
      return definition.valueType;
    case 'array':
      return definition.element;
    default:
      return undefined;
  }
}
