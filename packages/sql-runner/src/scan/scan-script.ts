import type { Dialect } from '../dialect.js';
import { SqlScriptError } from '../errors.js';
import { excerptOf } from '../excerpt.js';

// NOTE: why a hand-written scanner. No maintained npm package splits scripts correctly for both
// dialects at once: dbgate-query-splitter (the most complete) has no `E''` strings, ends a block
// comment at the first `*/` (PostgreSQL nests them) and counts every BEGIN/END, so a `CASE ... END`
// inside a SQLite trigger body ends the trigger; pgsql-ast-parser and @pgsql/parser parse
// PostgreSQL only. Splitting and placeholder detection also need the same token boundaries, so one
// single-pass scanner does both, and the runner never scans a file twice.

/** A `:name` placeholder; offsets are relative to the statement text, `start` is at the `:`. */
export interface Placeholder {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** A driver-native placeholder (`?`, `?1`, `@x`, `$x` on SQLite; `$1` on PostgreSQL) outside quotes. */
export interface NativePlaceholder {
  readonly token: string;
  readonly start: number;
}

/** One statement found by `scanScript`. */
export interface ScannedStatement {
  /** The statement without leading or trailing whitespace and comments, and without its `;`. */
  readonly text: string;
  /** 1-based line of the statement's first character. */
  readonly line: number;
  /** 1-based number of the statement in its script. */
  readonly index: number;
  readonly placeholders: readonly Placeholder[];
  readonly nativePlaceholders: readonly NativePlaceholder[];
  /** Length of the statement's head: the text up to the end of its fourth word (see `headWords`). */
  readonly headLength: number;
}

/** A statement's first words (at most four), upper-cased; computed on demand, most callers never need it. */
export function headWords(statement: ScannedStatement): string[] {
  return statement.text
    .slice(0, statement.headLength)
    .toUpperCase()
    .split(/[^A-Z0-9_$\u0080-\uffff]+/)
    .filter((word) => word !== '' && !/^[0-9]/.test(word));
}

/** Options of `scanScript`. */
export interface ScanOptions {
  readonly dialect: Dialect;
  /** Names the script in error messages. */
  readonly file?: string;
}

const HEAD_WORDS = 4;
// NOTE: a statement whose fourth word comes late (a DO $$ body first) keeps a bounded head.
const HEAD_LENGTH_LIMIT = 256;
const NONE: readonly never[] = Object.freeze([]);

const TAB = 9;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const DOUBLE_QUOTE = 34;
const DOLLAR = 36;
const SINGLE_QUOTE = 39;
const LEFT_PAREN = 40;
const RIGHT_PAREN = 41;
const STAR = 42;
const HYPHEN = 45;
const DOT = 46;
const SLASH = 47;
const COLON = 58;
const SEMICOLON = 59;
const QUESTION = 63;
const AT = 64;
const LEFT_BRACKET = 91;
const BACKSLASH = 92;
const BACKTICK = 96;

function isSpace(code: number): boolean {
  return code === SPACE || (code >= TAB && code <= CARRIAGE_RETURN);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** `[A-Za-z_]`: the first character of a `:name` placeholder. */
function isNameStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
}

/** `[A-Za-z0-9_]`: the rest of a `:name` placeholder. */
function isNamePart(code: number): boolean {
  return isNameStart(code) || isDigit(code);
}

/** First character of an SQL identifier or keyword (both dialects treat non-ASCII as letters). */
function isIdentifierStart(code: number): boolean {
  return isNameStart(code) || code >= 128;
}

/** Later characters of an identifier; `$` is allowed after the first character in both dialects. */
function isIdentifierPart(code: number): boolean {
  return isIdentifierStart(code) || isDigit(code) || code === DOLLAR;
}

/** Whether a statement's first words open a body whose `;` do not end it (see `scanScript`). */
function opensBlock(head: readonly string[], postgres: boolean): boolean {
  if (head[0] !== 'CREATE') return false;
  if (postgres) {
    const routine = (word: string | undefined) => word === 'FUNCTION' || word === 'PROCEDURE';
    return routine(head[1]) || (head[1] === 'OR' && head[2] === 'REPLACE' && routine(head[3]));
  }
  return head[1] === 'TRIGGER' || ((head[1] === 'TEMP' || head[1] === 'TEMPORARY') && head[2] === 'TRIGGER');
}

/**
 * Splits a script into statements in one pass, recording each statement's `:name` placeholders.
 *
 * A `;` ends a statement except inside quotes (`'...'` with `''`, PostgreSQL `E'...'` with backslash
 * escapes, `"..."` identifiers, SQLite `` `...` `` and `[...]`), dollar-quoted bodies (`$$`, `$fn$`),
 * comments (`--`, and `/* *\/`, nested on PostgreSQL as the server does) and block bodies: SQLite
 * `CREATE TRIGGER ... BEGIN ... END` and PostgreSQL `CREATE FUNCTION ... BEGIN ATOMIC ... END`.
 * Statements that are empty or only comments are dropped. Throws `SqlScriptError` (`SYNTAX_ERROR`)
 * for a quote, dollar quote or (PostgreSQL) block comment that is never closed.
 */
export function scanScript(source: string, options: ScanOptions): ScannedStatement[] {
  const postgres = options.dialect === 'postgres';
  const file = options.file ?? '<script>';
  // NOTE: a UTF-8 byte order mark is not whitespace to either database; editors on Windows add it.
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const length = text.length;
  const statements: ScannedStatement[] = [];

  // Lines are counted lazily and only forward: statements and errors ask in increasing offsets.
  let lineCursor = 0;
  let lineNumber = 1;
  const lineAt = (offset: number): number => {
    for (;;) {
      const next = text.indexOf('\n', lineCursor);
      if (next === -1 || next >= offset) return lineNumber;
      lineNumber++;
      lineCursor = next + 1;
    }
  };

  // State of the statement being scanned.
  let start = -1;
  let end = -1;
  let placeholders: Placeholder[] | undefined;
  let natives: NativePlaceholder[] | undefined;
  let words = 0;
  let headEnd = -1;
  let createStatement = false;
  let head: string[] | undefined;
  let blockMode = false;
  let blockDepth = 0;
  let parenDepth = 0;

  const emit = (): void => {
    if (start >= 0) {
      statements.push({
        text: text.slice(start, end),
        line: lineAt(start),
        index: statements.length + 1,
        placeholders: placeholders ?? NONE,
        nativePlaceholders: natives ?? NONE,
        headLength: Math.min((headEnd < 0 ? end : headEnd) - start, HEAD_LENGTH_LIMIT),
      });
    }
    start = -1;
    end = -1;
    placeholders = undefined;
    natives = undefined;
    words = 0;
    headEnd = -1;
    createStatement = false;
    head = undefined;
    blockMode = false;
    blockDepth = 0;
    parenDepth = 0;
  };

  const unterminated = (what: string, tokenStart: number, closer: string): never => {
    const statementStart = start >= 0 ? start : tokenStart;
    const statement = statements.length + 1;
    const line = lineAt(statementStart);
    const openedAt = lineAt(tokenStart);
    throw new SqlScriptError(
      `Unterminated ${what} in ${file}, statement ${statement} (line ${line}): the ${what} opened at ` +
        `line ${openedAt} has no closing ${closer} before the end of the file. Close it, or remove the ` +
        'stray opening character.',
      {
        code: 'SYNTAX_ERROR',
        location: { file, statement, line },
        excerpt: excerptOf(text.slice(statementStart)),
      },
    );
  };

  /** Returns the offset after a quoted token opened at `open`; `''` (or `""`...) is an escaped quote. */
  const closeQuoted = (open: number, quote: number, what: string, backslashEscapes: boolean): number => {
    let position = open + 1;
    if (!backslashEscapes) {
      const quoteCharacter = String.fromCharCode(quote);
      for (;;) {
        const close = text.indexOf(quoteCharacter, position);
        if (close === -1) return unterminated(what, open, quoteCharacter);
        if (text.charCodeAt(close + 1) !== quote) return close + 1;
        position = close + 2;
      }
    }
    while (position < length) {
      const code = text.charCodeAt(position);
      if (code === BACKSLASH) position += 2;
      else if (code === quote) {
        if (text.charCodeAt(position + 1) !== quote) return position + 1;
        position += 2;
      } else position++;
    }
    return unterminated(what, open, String.fromCharCode(quote));
  };

  const skipBlockComment = (open: number): number => {
    if (!postgres) {
      // NOTE: SQLite comments do not nest, and an unclosed one runs to the end of the input.
      const close = text.indexOf('*/', open + 2);
      return close === -1 ? length : close + 2;
    }
    let depth = 1;
    let position = open + 2;
    while (position < length) {
      const code = text.charCodeAt(position);
      const next = text.charCodeAt(position + 1);
      if (code === SLASH && next === STAR) {
        depth++;
        position += 2;
      } else if (code === STAR && next === SLASH) {
        depth--;
        position += 2;
        if (depth === 0) return position;
      } else position++;
    }
    return unterminated('block comment', open, '*/');
  };

  /** Tracks the first words, and BEGIN/CASE/END depth inside routine and trigger bodies. */
  const onWord = (wordStart: number, wordEnd: number): void => {
    let word: string | undefined;
    if (words < HEAD_WORDS) {
      words++;
      if (words === HEAD_WORDS) headEnd = wordEnd;
      // NOTE: only a CREATE statement can open a body; other statements never upper-case a word.
      if (words === 1) {
        const first = text.charCodeAt(wordStart);
        if (wordEnd - wordStart === 6 && (first === 67 || first === 99)) {
          word = text.slice(wordStart, wordEnd).toUpperCase();
          createStatement = word === 'CREATE';
          if (createStatement) head = [word];
        }
      } else if (createStatement && head !== undefined && !blockMode) {
        word = text.slice(wordStart, wordEnd).toUpperCase();
        head.push(word);
        blockMode = opensBlock(head, postgres);
      }
    }
    // NOTE: the same heuristic as psql's lexer: inside CREATE FUNCTION/PROCEDURE (PostgreSQL) or
    // CREATE TRIGGER (SQLite), BEGIN opens a body, CASE nests only inside one, END closes, all
    // counted outside parentheses, so `RETURNS TABLE (begin int)` or `(CASE ... END)` do not count.
    if (!blockMode || parenDepth !== 0) return;
    const size = wordEnd - wordStart;
    if (size < 3 || size > 5) return;
    word ??= text.slice(wordStart, wordEnd).toUpperCase();
    if (word === 'BEGIN') blockDepth++;
    else if (word === 'CASE') {
      if (blockDepth > 0) blockDepth++;
    } else if (word === 'END' && blockDepth > 0) blockDepth--;
  };

  const addNative = (tokenStart: number, tokenEnd: number): void => {
    natives ??= [];
    natives.push({ token: text.slice(tokenStart, tokenEnd), start: tokenStart - start });
  };

  let position = 0;
  while (position < length) {
    const code = text.charCodeAt(position);
    if (isSpace(code)) {
      position++;
      continue;
    }
    if (code === HYPHEN && text.charCodeAt(position + 1) === HYPHEN) {
      const newline = text.indexOf('\n', position + 2);
      position = newline === -1 ? length : newline + 1;
      continue;
    }
    if (code === SLASH && text.charCodeAt(position + 1) === STAR) {
      position = skipBlockComment(position);
      continue;
    }
    if (code === SEMICOLON && blockDepth === 0) {
      emit();
      position++;
      continue;
    }
    if (start < 0) start = position;
    let next = position + 1;
    if (code === SINGLE_QUOTE) {
      next = closeQuoted(position, SINGLE_QUOTE, 'string', false);
    } else if (code === DOUBLE_QUOTE) {
      next = closeQuoted(position, DOUBLE_QUOTE, 'quoted identifier', false);
    } else if (isIdentifierStart(code)) {
      next = position + 1;
      while (next < length && isIdentifierPart(text.charCodeAt(next))) next++;
      if (
        postgres &&
        next === position + 1 &&
        (code === 69 || code === 101) &&
        text.charCodeAt(next) === SINGLE_QUOTE
      ) {
        next = closeQuoted(next, SINGLE_QUOTE, 'escape string', true);
      } else if (words < HEAD_WORDS || blockMode) {
        onWord(position, next);
      }
    } else if (isDigit(code)) {
      while (next < length && (isIdentifierPart(text.charCodeAt(next)) || text.charCodeAt(next) === DOT))
        next++;
    } else if (code === COLON) {
      const following = text.charCodeAt(position + 1);
      if (following === COLON) {
        next = position + 2;
      } else if (isNameStart(following)) {
        next = position + 2;
        while (next < length && isNamePart(text.charCodeAt(next))) next++;
        placeholders ??= [];
        placeholders.push({
          name: text.slice(position + 1, next),
          start: position - start,
          end: next - start,
        });
      } else if (!postgres && isDigit(following)) {
        // NOTE: SQLite reads `:1` as a parameter too; left unbound it would silently be NULL.
        next = position + 2;
        while (next < length && isDigit(text.charCodeAt(next))) next++;
        addNative(position, next);
      }
    } else if (code === LEFT_PAREN) {
      parenDepth++;
    } else if (code === RIGHT_PAREN) {
      if (parenDepth > 0) parenDepth--;
    } else if (code === DOLLAR) {
      next = postgres ? scanPostgresDollar(position) : scanSqliteVariable(position);
    } else if (!postgres) {
      if (code === BACKTICK) next = closeQuoted(position, BACKTICK, 'quoted identifier', false);
      else if (code === LEFT_BRACKET) {
        const close = text.indexOf(']', position + 1);
        next = close === -1 ? unterminated('bracketed identifier', position, ']') : close + 1;
      } else if (code === QUESTION) {
        while (next < length && isDigit(text.charCodeAt(next))) next++;
        addNative(position, next);
      } else if (code === AT) next = scanSqliteVariable(position);
    }
    end = next;
    position = next;
  }
  emit();
  return statements;

  /** `$tag$ ... $tag$` bodies and `$1` parameters; a `$` inside an identifier never gets here. */
  function scanPostgresDollar(open: number): number {
    let tagEnd = open + 1;
    const first = text.charCodeAt(tagEnd);
    if (isDigit(first)) {
      while (tagEnd < length && isDigit(text.charCodeAt(tagEnd))) tagEnd++;
      addNative(open, tagEnd);
      return tagEnd;
    }
    if (isIdentifierStart(first)) {
      tagEnd++;
      while (
        tagEnd < length &&
        isIdentifierPart(text.charCodeAt(tagEnd)) &&
        text.charCodeAt(tagEnd) !== DOLLAR
      ) {
        tagEnd++;
      }
    }
    if (text.charCodeAt(tagEnd) !== DOLLAR) return open + 1;
    const delimiter = text.slice(open, tagEnd + 1);
    const close = text.indexOf(delimiter, tagEnd + 1);
    if (close === -1) return unterminated(`dollar-quoted string ${delimiter}`, open, delimiter);
    return close + delimiter.length;
  }

  /** SQLite's own `$name` and `@name` parameters, which this package does not bind. */
  function scanSqliteVariable(open: number): number {
    let variableEnd = open + 1;
    while (variableEnd < length && isIdentifierPart(text.charCodeAt(variableEnd))) variableEnd++;
    if (variableEnd > open + 1) addNative(open, variableEnd);
    return variableEnd;
  }
}
