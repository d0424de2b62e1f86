import { describe, expect, it } from 'vitest';
import { corpusOf } from './_test/corpus.js';
import { createRandom, pick } from './_test/prng.js';
import type { Dialect } from './dialect.js';
import { splitStatements } from './split-statements.js';

const RUNS = 300;
const BASE_SEED = 0x5eed;

// Filler that may stand between statements and their `;`: whitespace and comments full of the
// characters that end statements, open strings or start placeholders.
const SHARED_FILLER = [
  ' ',
  '\n',
  '\n\n',
  '\t',
  '\r\n',
  '-- comment; with \'quote\' and "dq" and :param and $$\n',
  '-- /* not a block\n',
  "/* block; 'not a string */",
  '/* multi\nline; comment */',
  '/**/',
];
const POSTGRES_FILLER = [...SHARED_FILLER, '/* outer /* nested; */ still; */', '/* $$ not; a body */'];
const SQLITE_FILLER = [...SHARED_FILLER, '/* /* not nested in SQLite */', '/* BEGIN; END; */'];

interface Generated {
  readonly script: string;
  readonly expected: { text: string; line: number; index: number }[];
}

/** Joins random corpus statements with random filler, remembering where each statement starts. */
function generate(dialect: Dialect, seed: number): Generated {
  const random = createRandom(seed);
  const corpus = corpusOf(dialect);
  const filler = dialect === 'postgres' ? POSTGRES_FILLER : SQLITE_FILLER;
  const fill = (maximum: number) => {
    let text = '';
    const count = Math.floor(random() * (maximum + 1));
    for (let index = 0; index < count; index++) text += pick(random, filler);
    return text;
  };
  const count = 1 + Math.floor(random() * 12);
  let script = fill(3);
  const expected: Generated['expected'] = [];
  for (let index = 0; index < count; index++) {
    const statement = pick(random, corpus);
    const line = script.split('\n').length;
    expected.push({ text: statement, line, index: index + 1 });
    script += statement;
    // NOTE: whitespace or comments may come before the `;` too; they are not part of the statement.
    // A line comment always ends with a line break, so the `;` after it is not commented out.
    script += fill(2);
    const last = index === count - 1;
    if (!last || random() < 0.5) script += ';';
    // Empty statements: `;;` and `; -- comment ;`.
    while (random() < 0.25) script += `${fill(1)};`;
    script += last ? fill(3) : fill(3) || pick(random, [' ', '\n']);
  }
  return { script, expected };
}

describe('splitStatements property: random scripts of corpus statements split back exactly', () => {
  it.each(['postgres', 'sqlite'] as const)('%s: %i random scripts', (dialect) => {
    for (let run = 0; run < RUNS; run++) {
      const seed = BASE_SEED + run;
      const { script, expected } = generate(dialect, seed);
      const actual = splitStatements(script, { dialect });
      // NOTE: the seed and script are in the message, so a failure can be replayed by hand.
      expect(actual, `seed ${seed}, script:\n${script}`).toEqual(expected);
    }
  });

  it('generates scripts that exercise the filler (a check on the generator itself)', () => {
    const scripts = Array.from({ length: 50 }, (_, run) => generate('postgres', BASE_SEED + run).script);
    expect(scripts.some((script) => script.includes('/* outer /* nested'))).toBe(true);
    expect(scripts.some((script) => /;\s*;/.test(script))).toBe(true);
    expect(scripts.some((script) => script.includes('BEGIN ATOMIC'))).toBe(true);
  });
});
