import type * as z from 'zod';
import { type ConfigProblem, configurationProblem } from './config-problem.js';
import { configSchema } from './config-schema.js';
import { describeFound, listNames } from './describe-found.js';
import { didYouMeanHint } from './did-you-mean.js';
import { type PathSegment, valueAt } from './merge-documents.js';
import { isIntegerSchema, knownKeys, memberOwningKey, schemaAt } from './schema-at.js';

type Issue = z.core.$ZodIssue;

// NOTE: the schema's generic checks rank below the specific ones of validate-config.ts when both
// report the same place (an unknown scheduler key that names a thread pool gets the pool message).
const RANK = 1;

/** Turns zod's issues into problems that say what was expected and what was found, in YAML words. */
export function schemaIssueProblems(issues: readonly Issue[], document: unknown): ConfigProblem[] {
  return issues.flatMap((issue) => issueProblems(issue, document));
}

function issueProblems(issue: Issue, document: unknown): ConfigProblem[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  const found = valueAt(document, path);
  const problem = (expected: string, options: { found?: string; hint?: string; cause?: unknown } = {}) =>
    configurationProblem(
      path,
      { expected, found: options.found ?? describeFound(found), hint: options.hint },
      { rank: RANK, cause: options.cause },
    );
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(schemaAt(configSchema, path, document));
      return issue.keys.map((key) =>
        configurationProblem(
          [...path, key],
          {
            expected: known.length === 0 ? 'no keys here' : `one of the keys ${listNames(known)}`,
            found: `the unknown key \`${key}\``,
            hint: didYouMeanHint(key, known) ?? kindHint(path, key, document),
          },
          { rank: RANK },
        ),
      );
    }
    case 'invalid_type':
      return [
        problem(typeExpected(issue.expected, path, document), {
          hint: typeHint(issue.expected, found, path),
        }),
      ];
    case 'invalid_value': {
      const values = issue.values.map(String);
      return [problem(`one of ${listNames(values)}`, { hint: hintFor(found, values) })];
    }
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options?.map(String);
      if (options === undefined) return [problem(issue.message)];
      return [problem(`one of ${listNames(options)}`, { hint: hintFor(found, options) })];
    }
    case 'too_small':
      return [
        problem(boundExpected(issue.origin, issue.minimum, issue.inclusive ?? true, 'min', path, document)),
      ];
    case 'too_big':
      return [
        problem(boundExpected(issue.origin, issue.maximum, issue.inclusive ?? true, 'max', path, document)),
      ];
    case 'invalid_key': {
      const [inner] = issue.issues;
      const key = path.at(-1);
      return [
        problem(inner?.message ?? 'a valid key', {
          found: `the key \`${String(key)}\``,
          hint: (inner as { params?: { hint?: string } } | undefined)?.params?.hint,
        }),
      ];
    }
    case 'custom': {
      const params = (issue.params ?? {}) as { found?: string; hint?: string; cause?: unknown };
      return [problem(issue.message, params)];
    }
    default:
      // NOTE: invalid_format (regex) and the rest carry our own message as the expected text.
      return [problem(issue.message)];
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  null: 'null',
};

function typeExpected(expected: string, path: readonly PathSegment[], document: unknown): string {
  const schema = schemaAt(configSchema, path, document);
  if (expected === 'number' && isIntegerSchema(schema)) return 'an integer';
  return TYPE_WORDS[expected] ?? expected;
}

function typeHint(expected: string, found: unknown, path: readonly PathSegment[]): string | undefined {
  const key = path.at(-1);
  if (found === undefined) return typeof key === 'string' ? `\`${key}\` is required` : undefined;
  if (found === null && (expected === 'object' || expected === 'record')) {
    return `a key with nothing after it is null in YAML: write \`${String(key)}: {}\` or remove the key`;
  }
  if ((expected === 'number' || expected === 'int') && typeof found === 'string' && found.trim() !== '') {
    if (!Number.isNaN(Number(found))) return 'write the number without quotes';
  }
  if (expected === 'string' && (typeof found === 'number' || typeof found === 'boolean')) {
    return 'quote the value to keep it a string';
  }
  return undefined;
}

function boundExpected(
  origin: string,
  bound: number | bigint,
  inclusive: boolean,
  side: 'min' | 'max',
  path: readonly PathSegment[],
  document: unknown,
): string {
  const limit = Number(bound);
  if (origin === 'array') {
    return side === 'min' ? `a list of at least ${limit}` : `a list of at most ${limit}`;
  }
  if (origin === 'string') {
    if (side === 'min' && limit === 1) return 'a non-empty string';
    return side === 'min'
      ? `a string of at least ${limit} characters`
      : `a string of at most ${limit} characters`;
  }
  const kind = isIntegerSchema(schemaAt(configSchema, path, document)) ? 'an integer' : 'a number';
  const operator = side === 'min' ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
  return `${kind} ${operator} ${limit}`;
}

/** `url` is an option of `kind: postgres` (for a key of another member of a union, by its discriminator). */
function kindHint(path: readonly PathSegment[], key: string, document: unknown): string | undefined {
  const owner = memberOwningKey(configSchema, path, document, key);
  return owner === undefined ? undefined : `\`${key}\` is an option of \`kind: ${owner}\``;
}

function hintFor(found: unknown, candidates: readonly string[]): string | undefined {
  return typeof found === 'string' ? didYouMeanHint(found, candidates) : undefined;
}
