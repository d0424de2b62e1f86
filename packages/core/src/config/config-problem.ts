import { ConfigurationError, type ConfigurationProblem } from '../errors/errors.js';
import { isMapping, type PathSegment } from './merge-documents.js';

/** One mistake found in the merged document, turned into an error once its file is known. */
export interface ConfigProblem {
  /** Where it is; also the path the error names. */
  readonly path: readonly PathSegment[];
  /**
   * Where it sorts: at the value itself (default), or after everything inside it, as a missing key
   * does (so that a misspelt key, with its "did you mean", is reported before the key it misses).
   */
  readonly anchor?: 'start' | 'end';
  /** Breaks ties at one position: lower first. Specific checks use 0, the schema's generic ones 1. */
  readonly rank?: number;
  readonly createError: (file: string) => Error;
}

/** A problem reported as a `ConfigurationError` naming the file, the path, what was expected and found. */
export function configurationProblem(
  path: readonly PathSegment[],
  problem: Omit<ConfigurationProblem, 'file' | 'path'>,
  options: { anchor?: 'start' | 'end'; rank?: number; cause?: unknown } = {},
): ConfigProblem {
  return {
    path,
    anchor: options.anchor,
    rank: options.rank,
    createError: (file) =>
      new ConfigurationError({ ...problem, file, path: formatPath(path) }, { cause: options.cause }),
  };
}

/** `jobs.midnight_stats.crontab`, `indexes.tokens.handlers[0].callback`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text;
}

/** The problem that comes first in the document (keys in the order written, files merged in order). */
export function firstProblem(problems: readonly ConfigProblem[], root: unknown): ConfigProblem | undefined {
  if (problems.length === 0) return undefined;
  const positions = documentPositions(root);
  const sortKey = (problem: ConfigProblem): number => {
    let path = [...problem.path];
    let span = positions.get(pathKey(path));
    let after = problem.anchor === 'end';
    while (span === undefined && path.length > 0) {
      path = path.slice(0, -1);
      span = positions.get(pathKey(path));
      after = true;
    }
    if (span === undefined) return Number.POSITIVE_INFINITY;
    return after ? span.end + 0.5 : span.start;
  };
  const ranked = problems.map((problem, index) => ({ problem, index, key: sortKey(problem) }));
  ranked.sort(
    (left, right) =>
      left.key - right.key ||
      (left.problem.rank ?? 0) - (right.problem.rank ?? 0) ||
      left.index - right.index,
  );
  return ranked[0]?.problem;
}

interface Span {
  /** Order of the value's own key in the document. */
  start: number;
  /** Order of the last value inside it. */
  end: number;
}

function documentPositions(root: unknown): Map<string, Span> {
  const positions = new Map<string, Span>();
  let counter = 0;
  const visit = (value: unknown, path: PathSegment[]): number => {
    const start = counter++;
    let end = start;
    const children: Array<[PathSegment, unknown]> = Array.isArray(value)
      ? value.map((item, index) => [index, item])
      : isMapping(value)
        ? Object.entries(value)
        : [];
    for (const [segment, item] of children) end = visit(item, [...path, segment]);
    positions.set(pathKey(path), { start, end });
    return end;
  };
  visit(root, []);
  return positions;
}

function pathKey(path: readonly PathSegment[]): string {
  return JSON.stringify(path);
}
