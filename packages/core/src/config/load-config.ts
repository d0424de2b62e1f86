import path from 'node:path';
import { ConfigurationError } from '../errors/errors.js';
import { buildConfig } from './build-config.js';
import { firstProblem } from './config-problem.js';
import { configSchema } from './config-schema.js';
import type { HookdexConfig } from './config-types.js';
import { mergeDocuments } from './merge-documents.js';
import { type ConfigDocument, readConfigFile } from './read-config-file.js';
import { schemaIssueProblems } from './schema-issue-problems.js';
import type { EnvironmentVariableUse } from './substitute-environment.js';
import { validateConfig } from './validate-config.js';

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  /** Variables for `${VAR}` substitution; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Options of `readConfigSource`. */
export interface ReadConfigSourceOptions extends LoadConfigOptions {
  /** Record unset variables without a default (substituting nothing) instead of failing. */
  allowUnset?: boolean;
}

/**
 * Loads `hookdex.yaml` from one or more files (later files override earlier ones: mappings merge,
 * lists and scalars are replaced), substitutes `${VAR}` and `${VAR:-default}`, and validates
 * everything at once. The first mistake in the document is thrown: a `ConfigurationError` naming
 * the file that set the value, the path, what was expected and what was found, or for job
 * arguments a `CallbackTypeError`. The project directory is the first file's directory.
 */
export async function loadConfig(files: string[], options: LoadConfigOptions = {}): Promise<HookdexConfig> {
  const { documents, environment, absolute } = await readDocuments(files, options);
  return validateDocuments(documents, {
    files: absolute,
    projectDir: path.dirname(absolute[0]!),
    environment: Object.fromEntries(
      Object.entries(environment).map(([name, use]) => [name, { value: use.value, default: use.default }]),
    ),
  });
}

/** The configuration files as written, environment substituted and merged, before validation. */
export interface ConfigSource {
  /** The merged document (snake_case keys, as in the files). */
  readonly document: Record<string, unknown>;
  /** Every environment variable the files use: value used, default, and where it is written. */
  readonly environment: Readonly<Record<string, EnvironmentVariableUse>>;
}

/**
 * Reads configuration files as `loadConfig` does (substitution, merging) without validating the
 * result: what `hookdex config export` prints and `hookdex config env` lists. A file that cannot be
 * read or parsed is a `ConfigurationError`, and so is an unset variable without a default unless
 * `allowUnset` (then its value is recorded as undefined).
 */
export async function readConfigSource(
  files: string[],
  options: ReadConfigSourceOptions = {},
): Promise<ConfigSource> {
  const { documents, environment } = await readDocuments(files, options);
  return { document: mergeDocuments(documents).value, environment };
}

async function readDocuments(files: string[], options: ReadConfigSourceOptions) {
  if (files.length === 0) {
    throw new ConfigurationError({ expected: 'at least one configuration file', found: 'none' });
  }
  const env = options.env ?? process.env;
  const used = new Map<string, EnvironmentVariableUse>();
  const absolute = files.map((file) => path.resolve(file));
  const documents: ConfigDocument[] = [];
  for (const [index, file] of files.entries()) {
    documents.push(
      await readConfigFile(file, absolute[index]!, { env, used, allowUnset: options.allowUnset ?? false }),
    );
  }
  return { documents, environment: Object.fromEntries(used), absolute };
}

/**
 * Validates a configuration given as an object in the shape of `hookdex.yaml` (snake_case keys), with
 * exactly the rules of `loadConfig`: for programs and tests that build their configuration in code.
 */
export function parseConfig(
  document: Record<string, unknown>,
  options: { projectDir: string; file?: string },
): HookdexConfig {
  const file = options.file ?? path.join(options.projectDir, 'hookdex.yaml');
  return validateDocuments([{ file, value: document }], {
    files: [path.resolve(file)],
    projectDir: path.resolve(options.projectDir),
    environment: {},
  });
}

function validateDocuments(
  documents: ConfigDocument[],
  context: Pick<HookdexConfig, 'files' | 'projectDir' | 'environment'>,
): HookdexConfig {
  const merged = mergeDocuments(documents);
  const parsed = configSchema.safeParse(merged.value);
  const problems = [
    ...validateConfig(merged.value),
    ...(parsed.success ? [] : schemaIssueProblems(parsed.error.issues, merged.value)),
  ];
  const problem = firstProblem(problems, merged.value);
  if (problem !== undefined) throw problem.createError(merged.originOf(problem.path));
  if (!parsed.success) throw new Error('unreachable: schema issues always make problems');
  return buildConfig(parsed.data, context);
}
