import { type HookArgumentConfig, parseArgType } from '@hookdex/core';
import { describe, expect, it } from 'vitest';
import { argumentsType, toTypeScript } from './to-typescript.js';
import { TypeImports } from './type-imports.js';

const render = (source: string, file = 'hooks/example.ts') => {
  const imports = new TypeImports();
  const type = toTypeScript(parseArgType(source), { file, imports });
  return { type, imports: imports.render() };
};

const argument = (name: string, source: string): HookArgumentConfig => ({
  name,
  typeName: source,
  type: parseArgType(source),
});

describe('toTypeScript', () => {
  it.each([
    ['bool', 'boolean'],
    ['boolean', 'boolean'],
    ['int', 'number'],
    ['float', 'number'],
    ['number', 'number'],
    ['str', 'string'],
    ['string', 'string'],
    ['bigint', 'bigint'],
    ['datetime', 'Date'],
    ['Any', 'unknown'],
    ['list[int]', 'number[]'],
    ['list', 'unknown[]'],
    ['dict[str, float]', 'Record<string, number>'],
    ['dict[str, list[str]]', 'Record<string, string[]>'],
    ['Optional[int]', 'number | null | undefined'],
    ['int | None', 'number | null | undefined'],
    ['list[Optional[str]]', 'Array<string | null | undefined>'],
  ])('maps %s to %s', (source, expected) => {
    expect(render(source)).toEqual({ type: expected, imports: [] });
  });

  it('imports Decimal from decimal.js, as a type only', () => {
    expect(render('decimal.Decimal')).toEqual({
      type: 'Decimal',
      imports: ["import type { Decimal } from 'decimal.js';"],
    });
    expect(render('list[Decimal]').type).toBe('Decimal[]');
  });

  it('imports an external class from a package as named', () => {
    expect(render('@acme/tokens:Token')).toEqual({
      type: 'Token',
      imports: ["import type { Token } from '@acme/tokens';"],
    });
  });

  it('imports a project module relative to the generated file, which may be nested', () => {
    expect(render('./src/models.js:Token', 'hooks/stats/daily.ts').imports).toEqual([
      "import type { Token } from '../../src/models.js';",
    ]);
    expect(render('./src/models.js:Token', 'types/hooks.d.ts').imports).toEqual([
      "import type { Token } from '../src/models.js';",
    ]);
  });

  it('renames a second class of the same name from another module, and a clash with the file’s names', () => {
    const imports = new TypeImports(['Token']);
    const target = { file: 'types/hooks.d.ts', imports };
    expect(toTypeScript(parseArgType('./src/a.js:Token'), target)).toBe('Token_2');
    expect(toTypeScript(parseArgType('@acme/tokens:Token'), target)).toBe('Token_3');
    expect(toTypeScript(parseArgType('./src/a.js:Token'), target)).toBe('Token_2');
    expect(imports.render()).toEqual([
      "import type { Token as Token_3 } from '@acme/tokens';",
      "import type { Token as Token_2 } from '../src/a.js';",
    ]);
  });
});

describe('argumentsType', () => {
  const target = () => ({ file: 'hooks/calculate_stats.ts', imports: new TypeImports() });

  it('makes Optional, T | None and Any arguments optional properties, in declaration order', () => {
    expect(
      argumentsType(
        [argument('major', 'bool'), argument('depth', 'Optional[int]'), argument('extra', 'Any')],
        target(),
      ),
    ).toBe('{ major: boolean; depth?: number | null; extra?: unknown }');
    expect(argumentsType([argument('note', 'str | None')], target())).toBe('{ note?: string | null }');
  });

  it('gives a hook without arguments a type that accepts none', () => {
    expect(argumentsType([], target())).toBe('Record<string, never>');
  });

  it('puts one property per line when the type is long', () => {
    const names = ['first_argument', 'second_argument', 'third_argument', 'fourth_argument'];
    expect(
      argumentsType(
        names.map((name) => argument(name, 'dict[str, int]')),
        target(),
        '  ',
      ),
    ).toBe(
      [
        '{',
        '    first_argument: Record<string, number>;',
        '    second_argument: Record<string, number>;',
        '    third_argument: Record<string, number>;',
        '    fourth_argument: Record<string, number>;',
        '  }',
      ].join('\n'),
    );
  });
});
