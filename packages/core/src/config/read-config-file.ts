import { readFile } from 'node:fs/promises';
import { parseDocument, type YAMLError } from 'yaml';
import { ConfigurationError } from '../errors/errors.js';
import { describeFound } from './describe-found.js';
import { type SubstitutionOptions, substituteEnvironment } from './substitute-environment.js';

/** One configuration file after substitution and parsing. */
export interface ConfigDocument {
  /** The file as the caller named it; messages use this. */
  readonly file: string;
  /** The top-level mapping (an empty file is an empty mapping). */
  readonly value: Record<string, unknown>;
}

/**
 * Reads one YAML file: environment substitution on the raw text, then YAML 1.2 (core schema, `<<`
 * merge keys allowed). A missing file, a syntax error (with line and column) or a top level that is
 * not a mapping is a `ConfigurationError` naming the file.
 */
export async function readConfigFile(
  file: string,
  absolutePath: string,
  substitution: Omit<SubstitutionOptions, 'file'>,
): Promise<ConfigDocument> {
  let text: string;
  try {
    text = await readFile(absolutePath, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      { file, expected: 'a readable YAML configuration file', found: readFailure(error, absolutePath) },
      { cause: error },
    );
  }
  const substituted = substituteEnvironment(text, { ...substitution, file });
  const document = parseDocument(substituted, { merge: true, prettyErrors: true });
  const [syntaxError] = document.errors;
  if (syntaxError !== undefined) throw syntaxProblem(file, syntaxError);
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    throw new ConfigurationError(
      { file, expected: 'valid YAML', found: error instanceof Error ? error.message : String(error) },
      { cause: error },
    );
  }
  if (value === null || value === undefined) return { file, value: {} };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigurationError({
      file,
      expected:
        'a mapping of sections at the top level (database, datasources, indexes, hooks, jobs, advanced, logging)',
      found: describeFound(value),
    });
  }
  return { file, value: value as Record<string, unknown> };
}

function syntaxProblem(file: string, error: YAMLError): ConfigurationError {
  const position = error.linePos?.[0];
  const where = position === undefined ? '' : ` at line ${position.line}, column ${position.col}`;
  // NOTE: with prettyErrors, yaml appends the position and an excerpt; the first part is the reason.
  const reason = error.message.split(' at line ')[0]?.trim() || error.code;
  return new ConfigurationError(
    { file, expected: 'valid YAML', found: `a syntax error${where}: ${reason.replace(/\.$/, '')}` },
    { cause: error },
  );
}

function readFailure(error: unknown, absolutePath: string): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return `no such file (${absolutePath})`;
  if (code === 'EISDIR') return `a directory (${absolutePath})`;
  return error instanceof Error ? error.message : String(error);
}
