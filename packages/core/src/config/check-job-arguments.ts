import { CallbackTypeError } from '../errors/errors.js';
import { type ArgType, checkValue, describeType, formatArgType, isOptional } from './arg-types.js';
import { coerceWithProblem } from './coerce-value.js';
import type { ConfigProblem } from './config-problem.js';
import { didYouMean } from './did-you-mean.js';
import { isMapping, type PathSegment } from './merge-documents.js';

/** A declared hook argument. */
export interface DeclaredArgument {
  readonly name: string;
  readonly type: ArgType;
}

/** What to check: one job's `args` against its hook's declared arguments. */
export interface JobArgumentsCheck {
  readonly job: string;
  readonly hook: string;
  readonly declared: readonly DeclaredArgument[];
  /** The job's `args` mapping as written (undefined when absent). */
  readonly given: unknown;
}

/**
 * Checks a job's arguments at load, after coercing them to the declared types: an unknown
 * argument, a missing required one (not `Optional`, `T | None` or `Any`), a value of the wrong type
 * (generics included) or a value for an external type (which YAML cannot express) is a
 * `CallbackTypeError` naming the file, job, hook, argument, expected and actual type.
 */
export function checkJobArguments(check: JobArgumentsCheck): ConfigProblem[] {
  const given = isMapping(check.given) ? check.given : {};
  const argumentsPath: PathSegment[] = ['jobs', check.job, 'args'];
  const problems: ConfigProblem[] = [];
  const problem = (
    name: string,
    details: { expectedType: string; actualType: string; reason?: string },
    anchor?: 'end',
  ): ConfigProblem => ({
    path: anchor === undefined ? [...argumentsPath, name] : argumentsPath,
    anchor,
    createError: (file) =>
      new CallbackTypeError({ hook: check.hook, argument: name, job: check.job, file, ...details }),
  });
  const declaredNames = check.declared.map((argument) => argument.name);
  for (const [name, value] of Object.entries(given)) {
    const declared = check.declared.find((argument) => argument.name === name);
    if (declared === undefined) {
      const suggestion = didYouMean(name, declaredNames);
      problems.push(
        problem(name, {
          expectedType:
            declaredNames.length === 0
              ? 'no arguments (the hook declares none)'
              : `one of the declared arguments ${declaredNames.map((declaredName) => `\`${declaredName}\``).join(', ')}`,
          actualType: `an undeclared argument of type ${describeType(value)}`,
          reason:
            suggestion === undefined
              ? `declare it under hooks.${check.hook}.args, or remove it`
              : `did you mean \`${suggestion}\`?`,
        }),
      );
      continue;
    }
    const mismatch = mismatchOf(name, declared.type, value);
    if (mismatch !== undefined) problems.push(problem(name, mismatch));
  }
  for (const argument of check.declared) {
    if (Object.hasOwn(given, argument.name) || isOptional(argument.type)) continue;
    problems.push(
      problem(
        argument.name,
        {
          expectedType: formatArgType(argument.type),
          actualType: 'nothing',
          reason: `the argument is required: add it to jobs.${check.job}.args, or declare it \`Optional[${formatArgType(argument.type)}]\``,
        },
        'end',
      ),
    );
  }
  return problems;
}

/** The coerced value of every argument, for the loaded configuration (call after checking). */
export function coerceJobArguments(
  declared: readonly DeclaredArgument[],
  given: unknown,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (!isMapping(given)) return result;
  for (const [name, value] of Object.entries(given)) {
    const type = declared.find((argument) => argument.name === name)?.type;
    result[name] = type === undefined ? value : coerceWithProblem(type, value).value;
  }
  return result;
}

function mismatchOf(
  name: string,
  type: ArgType,
  value: unknown,
): { expectedType: string; actualType: string; reason?: string } | undefined {
  const external = externalIn(type, value);
  if (external !== undefined) {
    return {
      expectedType: formatArgType(type),
      actualType: describeType(value),
      reason: `\`${formatArgType(external)}\` is an external class, which a YAML value cannot be; pass it from code with \`ctx.fireHook\``,
    };
  }
  const coercion = coerceWithProblem(type, value);
  const mismatch = checkValue(type, coercion.value);
  if (mismatch === undefined) return undefined;
  const nested = mismatch.at !== '';
  return {
    expectedType: formatArgType(type),
    actualType: nested
      ? `${mismatch.actual} at ${name}${mismatch.at} (expected ${mismatch.expected})`
      : mismatch.actual,
    reason:
      coercion.problem ??
      (!nested && Number.isInteger(value) && !Number.isSafeInteger(value)
        ? `${value} is beyond 2^53 and lost precision when YAML read it; declare \`bigint\` and quote the value`
        : undefined),
  };
}

/** The external type a non-null value would have to be an instance of, if any. */
function externalIn(type: ArgType, value: unknown): ArgType | undefined {
  if (value === null || value === undefined) return undefined;
  switch (type.kind) {
    case 'external':
      return type;
    case 'optional':
      return externalIn(type.inner, value);
    case 'list':
      return Array.isArray(value)
        ? firstDefined(value.map((item) => externalIn(type.item, item)))
        : undefined;
    case 'dict':
      return isMapping(value)
        ? firstDefined(Object.values(value).map((item) => externalIn(type.value, item)))
        : undefined;
    default:
      return undefined;
  }
}

function firstDefined<T>(values: readonly (T | undefined)[]): T | undefined {
  return values.find((value) => value !== undefined);
}
