import { coerceConfigValue, type HookConfig, didYouMean as suggest } from '@hookdex/core';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors/usage-error.js';

/**
 * Turns `--arg key=value` pairs into a hook's arguments by its declared types: a `str`, `bigint`,
 * `Decimal` or `datetime` is converted from the text as written (every digit kept); anything else
 * is read as a YAML value (`true`, `3`, `[a, b]`, `{a: 1}`, `null`) and converted as job arguments
 * are. Type checking is `fireHook`'s: a mismatch there is a `CallbackTypeError`.
 */
export function parseHookArguments(hook: HookConfig, pairs: readonly string[]): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const declared = hook.args.map((argument) => argument.name);
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) {
      throw new UsageError(
        `--arg ${JSON.stringify(pair)}: expected key=value (for example --arg ${declared[0] ?? 'name'}=value)`,
      );
    }
    const name = pair.slice(0, equals).trim();
    const text = pair.slice(equals + 1);
    const argument = hook.args.find((candidate) => candidate.name === name);
    if (argument === undefined) {
      const hint = suggest(name, declared);
      throw new UsageError(
        `--arg ${name}: hook \`${hook.name}\` declares ${
          declared.length === 0
            ? 'no arguments'
            : `the arguments ${declared.map((item) => `\`${item}\``).join(', ')}`
        }, not \`${name}\`${hint === undefined ? '' : ` (did you mean \`${hint}\`?)`}`,
      );
    }
    if (Object.hasOwn(args, name))
      throw new UsageError(`--arg ${name}: given twice; give each argument once`);
    args[name] = coerceConfigValue(argument.type, readValue(argument.type, text, name));
  }
  return args;
}

const TEXT_KINDS = new Set(['string', 'bigint', 'decimal', 'datetime']);

function readValue(type: HookConfig['args'][number]['type'], text: string, name: string): unknown {
  const inner = type.kind === 'optional' ? type.inner : type;
  const none = type.kind === 'optional' && (text === 'null' || text === '~');
  // NOTE: the text as written for a str (`label=007` is "007"), and for the types converted from
  // text (YAML would read 12345678901234567890 as an imprecise number); `null` is None for Optional.
  if (TEXT_KINDS.has(inner.kind) && !none) return text;
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw new UsageError(
      `--arg ${name}: ${JSON.stringify(text)} is not a value hookdex can read (${(error as Error).message.split('\n')[0]})`,
      { cause: error },
    );
  }
}
