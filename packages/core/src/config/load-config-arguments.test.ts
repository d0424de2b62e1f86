import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallbackTypeError } from '../errors/errors.js';
import { type ConfigDirectory, createConfigDirectory, expectProblem } from './_fixtures/config-directory.js';

/** A hook `stats` declaring `declared` (name: type lines), and a job `nightly` giving `given`. */
const config = (declared: string, given: string) =>
  `hooks:\n  stats:\n    callback: stats\n${declared === '' ? '' : `    args:\n${indent(declared, 6)}`}` +
  `jobs:\n  nightly:\n    hook: stats\n    interval: 60\n${given === '' ? '' : `    args:\n${indent(given, 6)}`}`;

const indent = (lines: string, spaces: number) =>
  lines
    .split('\n')
    .map((line) => `${' '.repeat(spaces)}${line}\n`)
    .join('');

describe('loadConfig: job arguments against the hook’s declared arguments', () => {
  let directory: ConfigDirectory;
  const load = (text: string) => directory.load({ 'hookdex.yaml': text });
  const typeError = (text: string, message: string[]) =>
    expectProblem(load(text), { name: 'CallbackTypeError', file: 'hookdex.yaml', message });
  beforeAll(async () => {
    directory = await createConfigDirectory();
  });
  afterAll(() => directory.remove());

  it('passes arguments of the declared types and lets optional ones be omitted', async () => {
    const loaded = await load(
      config(
        'major: bool\nlabel: str\nratio: float\ndepth: Optional[int]\nnote: str | None\nextra: Any\nitems: list[int]',
        'major: true\nlabel: weekly\nratio: 1\nitems: [1, 2]\nnote: null',
      ),
    );
    expect(loaded.jobs.nightly?.args).toEqual({
      major: true,
      label: 'weekly',
      ratio: 1,
      items: [1, 2],
      note: null,
    });
  });

  it('refuses a value of the wrong type, naming file, job, hook, argument, expected and actual type', async () => {
    const error = await typeError(config('depth: int', 'depth: deep'), [
      'job `nightly`: hook `stats` argument `depth`: expected int, found str.',
    ]);
    expect(error).toBeInstanceOf(CallbackTypeError);
    expect(error).toMatchObject({
      hook: 'stats',
      argument: 'depth',
      job: 'nightly',
      expectedType: 'int',
      actualType: 'str',
    });
  });

  it('refuses a float for int and null for a required argument', async () => {
    await typeError(config('depth: int', 'depth: 1.5'), ['argument `depth`: expected int, found float']);
    await typeError(config('depth: int', 'depth: null'), ['argument `depth`: expected int, found None']);
  });

  it('refuses a missing required argument, saying how to fix it', async () => {
    await typeError(config('major: bool\ndepth: int', 'major: true'), [
      'argument `depth`: expected int, found nothing (the argument is required: add it to jobs.nightly.args, or declare it `Optional[int]`)',
    ]);
    await typeError(config('major: bool', ''), ['argument `major`: expected bool, found nothing']);
  });

  it('refuses an undeclared argument, with a suggestion', async () => {
    await typeError(config('major: bool\ndepth: int', 'major: true\ndepht: 3'), [
      'argument `depht`: expected one of the declared arguments `major`, `depth`, found an undeclared argument of type int (did you mean `depth`?)',
    ]);
    await typeError(config('', 'major: true'), [
      'argument `major`: expected no arguments (the hook declares none), found an undeclared argument of type bool (declare it under hooks.stats.args, or remove it)',
    ]);
  });

  it('checks generic types, naming the index or key of the wrong item', async () => {
    await typeError(config('items: list[int]', 'items: [1, "two", 3]'), [
      'argument `items`: expected list[int], found str at items[1] (expected int)',
    ]);
    await typeError(config('weights: dict[str, float]', 'weights: {alice: 1.5, bob: heavy}'), [
      'argument `weights`: expected dict[str, float], found str at weights.bob (expected float)',
    ]);
    await typeError(config('items: list[int]', 'items: 5'), [
      'argument `items`: expected list[int], found int',
    ]);
    await typeError(config('depth: Optional[int]', 'depth: "3"'), [
      'argument `depth`: expected Optional[int], found str',
    ]);
  });

  it('coerces Decimal, bigint and datetime, also inside generics', async () => {
    const loaded = await load(
      config(
        'price: Decimal\nsupply: bigint\nsince: datetime\nlevels: list[bigint]\nprices: dict[str, decimal.Decimal]\nuntil: Optional[datetime]',
        'price: 0.1\nsupply: "115792089237316195423570985008687907853269984665640564039457584007913129639935"\n' +
          'since: "2024-01-31T12:00:00+01:00"\nlevels: [1, "2"]\nprices: {eth: "3000.5"}',
      ),
    );
    expect(loaded.jobs.nightly?.args).toEqual({
      price: new Decimal('0.1'),
      supply: 2n ** 256n - 1n,
      since: new Date('2024-01-31T11:00:00Z'),
      levels: [1n, 2n],
      prices: { eth: new Decimal('3000.5') },
    });
  });

  it('says why a value could not be coerced', async () => {
    await typeError(config('since: datetime', 'since: last tuesday'), [
      'argument `since`: expected datetime, found str ("last tuesday" is not an ISO 8601 date-time such as 2024-01-31T12:00:00Z)',
    ]);
    await typeError(config('supply: bigint', 'supply: 18446744073709551615'), [
      'argument `supply`: expected bigint, found int (18446744073709552000 is beyond 2^53 and lost precision when YAML read it as a number; quote it)',
    ]);
    await typeError(config('count: int', 'count: 99999999999999999999'), [
      'argument `count`: expected int, found int (100000000000000000000 is beyond 2^53',
      'declare `bigint` and quote the value',
    ]);
    await typeError(config('price: Decimal', 'price: cheap'), [
      'expected Decimal, found str ("cheap" is not a decimal number)',
    ]);
    await typeError(config('price: Decimal', 'price: true'), [
      'argument `price`: expected Decimal, found bool.',
    ]);
  });

  it('refuses a value for an external type, which YAML cannot express', async () => {
    await typeError(config('owner: "./models.js:Owner"', 'owner: {name: alice}'), [
      'argument `owner`: expected ./models.js:Owner, found dict (`./models.js:Owner` is an external class, which a YAML value cannot be',
    ]);
    await typeError(config('owners: "list[./models.js:Owner]"', 'owners: [{name: alice}]'), [
      'argument `owners`: expected list[./models.js:Owner], found list (`./models.js:Owner` is an external class',
    ]);
  });

  it('accepts an external type that is omitted, null or an empty list', async () => {
    const text = config(
      'owner: "Optional[./models.js:Owner]"\nfallback: "./models.js:Owner | None"\nowners: "list[./models.js:Owner]"',
      'fallback: null\nowners: []',
    );
    expect((await load(text)).jobs.nightly?.args).toEqual({ fallback: null, owners: [] });
  });

  it('names the file that set the argument when several files are merged', async () => {
    await expectProblem(
      directory.load({
        'base.yaml': config('depth: int', 'depth: 1'),
        'override.yaml': 'jobs:\n  nightly:\n    args:\n      depth: "2"\n',
      }),
      {
        name: 'CallbackTypeError',
        file: 'override.yaml',
        message: ['argument `depth`: expected int, found str'],
      },
    );
  });

  it('reports the arguments of the job that comes first in the document', async () => {
    const text =
      'hooks:\n  stats:\n    callback: stats\n    args:\n      depth: int\n' +
      'jobs:\n  first:\n    hook: stats\n    interval: 60\n    args:\n      depth: one\n' +
      '  second:\n    hook: stats\n    interval: 60\n';
    const error = await typeError(text, ['job `first`']);
    expect(error).toMatchObject({ job: 'first', argument: 'depth' });
  });

  it('does not check arguments against a hook whose declaration is itself wrong', async () => {
    // NOTE: the job comes first in the document; without the skip its arguments would be reported.
    const [hooksPart, jobsPart] = config('depth: integer', 'depth: 1').split('jobs:\n');
    await expectProblem(load(`jobs:\n${jobsPart}${hooksPart}`), {
      path: 'hooks.stats.args.depth',
      message: ['`integer` is not a known type'],
    });
  });
});
