import { type HookConfig, parseArgType } from '@hookdex/core';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { parseHookArguments } from './parse-hook-arguments.js';

const hook = (args: Record<string, string>): HookConfig => ({
  name: 'example',
  callback: 'example',
  atomic: false,
  args: Object.entries(args).map(([name, typeName]) => ({ name, typeName, type: parseArgType(typeName) })),
});

describe('parseHookArguments', () => {
  it('reads each value by its declared type', () => {
    const args = parseHookArguments(
      hook({
        flag: 'bool',
        depth: 'int',
        ratio: 'float',
        label: 'str',
        note: 'Optional[str]',
        amount: 'Decimal',
        big: 'bigint',
        at: 'datetime',
        tags: 'list[str]',
        weights: 'dict[str, float]',
        extra: 'Any',
      }),
      [
        'flag=true',
        'depth=3',
        'ratio=0.5',
        'label=007',
        'note=null',
        'amount=0.1',
        'big=123456789012345678901234567890',
        'at=2025-01-01T00:00:00Z',
        'tags=[a, "b c"]',
        'weights={x: 1.5}',
        'extra=k=v',
      ],
    );
    expect(args).toEqual({
      flag: true,
      depth: 3,
      ratio: 0.5,
      label: '007',
      note: null,
      amount: new Decimal('0.1'),
      big: 123456789012345678901234567890n,
      at: new Date('2025-01-01T00:00:00Z'),
      tags: ['a', 'b c'],
      weights: { x: 1.5 },
      extra: 'k=v',
    });
  });

  it('leaves values of the wrong type as they are, for fireHook to refuse with their names', () => {
    expect(
      parseHookArguments(hook({ flag: 'bool', amount: 'Decimal' }), ['flag=yes', 'amount=lots']),
    ).toEqual({
      flag: 'yes',
      amount: 'lots',
    });
  });

  it('refuses malformed, unknown and repeated arguments', () => {
    const declared = hook({ major: 'bool' });
    expect(() => parseHookArguments(declared, ['major'])).toThrow('--arg "major": expected key=value');
    expect(() => parseHookArguments(declared, ['=true'])).toThrow('--arg "=true": expected key=value');
    expect(() => parseHookArguments(declared, ['majr=true'])).toThrow('(did you mean `major`?)');
    expect(() => parseHookArguments(hook({}), ['x=1'])).toThrow(
      'hook `example` declares no arguments, not `x`',
    );
    expect(() => parseHookArguments(declared, ['major=true', 'major=false'])).toThrow('given twice');
    expect(() => parseHookArguments(declared, ['major=[unclosed'])).toThrow(
      /--arg major: "\[unclosed" is not a value hookdex can read/,
    );
  });
});
