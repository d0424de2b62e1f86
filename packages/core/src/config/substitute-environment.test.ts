// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` here is YAML's placeholder, not a template.
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors/errors.js';
import { type EnvironmentVariableUse, substituteEnvironment } from './substitute-environment.js';

const substitute = (text: string, env: Record<string, string | undefined>) => {
  const used = new Map<string, EnvironmentVariableUse>();
  return {
    text: substituteEnvironment(text, { file: 'hookdex.yaml', env, used }),
    used: Object.fromEntries(used),
  };
};

describe('substituteEnvironment', () => {
  it('replaces a set variable and records its value', () => {
    expect(substitute('url: ${DB_URL}\n', { DB_URL: 'postgres://db' })).toEqual({
      text: 'url: postgres://db\n',
      used: {
        DB_URL: {
          value: 'postgres://db',
          default: undefined,
          places: [{ file: 'hookdex.yaml', line: 1, key: 'url' }],
        },
      },
    });
  });

  it('uses the default when the variable is unset or empty, as the shell does', () => {
    expect(substitute('interval: ${INTERVAL:-60}', {}).text).toBe('interval: 60');
    expect(substitute('interval: ${INTERVAL:-60}', { INTERVAL: '' }).text).toBe('interval: 60');
    expect(substitute('interval: ${INTERVAL:-60}', { INTERVAL: '5' })).toEqual({
      text: 'interval: 5',
      used: {
        INTERVAL: { value: '5', default: '60', places: [{ file: 'hookdex.yaml', line: 1, key: 'interval' }] },
      },
    });
    expect(substitute('name: ${NAME:-}', {})).toEqual({
      text: 'name: ',
      used: { NAME: { value: '', default: '', places: [{ file: 'hookdex.yaml', line: 1, key: 'name' }] } },
    });
  });

  it('keeps an empty value of a variable used without a default', () => {
    expect(substitute('password: "${PASSWORD}"', { PASSWORD: '' }).text).toBe('password: ""');
  });

  it('reads `$${VAR}` as a literal `${VAR}` and records nothing for it', () => {
    expect(substitute('sql: "SELECT $${VAR} ${X:-1}"', {})).toEqual({
      text: 'sql: "SELECT ${VAR} 1"',
      used: { X: { value: '1', default: '1', places: [{ file: 'hookdex.yaml', line: 1, key: 'sql' }] } },
    });
  });

  it('leaves text that is not a placeholder alone', () => {
    expect(substitute('a: $VAR ${} ${1A} ${ A }', {}).text).toBe('a: $VAR ${} ${1A} ${ A }');
  });

  it('records each variable once, keeping the first default written', () => {
    expect(substitute('a: ${A}\nb: ${A:-x}\nc: ${B:-1}\nd: ${B:-2}', { A: 'a' }).used).toEqual({
      A: {
        value: 'a',
        default: 'x',
        places: [
          { file: 'hookdex.yaml', line: 1, key: 'a' },
          { file: 'hookdex.yaml', line: 2, key: 'b' },
        ],
      },
      B: {
        value: '1',
        default: '1',
        places: [
          { file: 'hookdex.yaml', line: 3, key: 'c' },
          { file: 'hookdex.yaml', line: 4, key: 'd' },
        ],
      },
    });
  });

  it('refuses an unset variable without a default, naming the file, line, column and variable', () => {
    let error: unknown;
    try {
      substitute('database:\n  kind: postgres\n  password: ${PG_PASSWORD}\n', {});
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({
      file: 'hookdex.yaml',
      expected: 'the environment variable `PG_PASSWORD` to be set',
    });
    expect((error as Error).message).toBe(
      'hookdex.yaml: expected the environment variable `PG_PASSWORD` to be set, found `${PG_PASSWORD}` at line 3, ' +
        'column 13, with `PG_PASSWORD` unset (set `PG_PASSWORD`, or give a default: `${PG_PASSWORD:-default}`; ' +
        '`$${PG_PASSWORD}` is a literal `${PG_PASSWORD}`).',
    );
  });

  it('records an unset variable without a default instead of failing, with allowUnset', () => {
    const used = new Map<string, EnvironmentVariableUse>();
    const text = substituteEnvironment('database:\n  password: ${PG_PASSWORD}\n', {
      file: 'hookdex.yaml',
      env: {},
      used,
      allowUnset: true,
    });
    expect(text).toBe('database:\n  password: \n');
    expect(Object.fromEntries(used)).toEqual({
      PG_PASSWORD: {
        value: undefined,
        default: undefined,
        places: [{ file: 'hookdex.yaml', line: 2, key: 'password' }],
      },
    });
  });
});
