import { describe, expect, it } from 'vitest';
import { maskSecrets, maskUrlPasswords } from './mask-secrets.js';

describe('maskSecrets', () => {
  it('masks secret keys at any depth, whatever their case or spelling', () => {
    expect(
      maskSecrets({
        database: { password: 'p', user: 'u' },
        datasources: {
          a: { apiKey: 'k', API_KEY: 'k', token: 't', client_secret: 's', private_key: 'x', url: 'u' },
        },
        list: [{ passwd: 'x' }],
        empty: { password: '' },
      }),
    ).toEqual({
      database: { password: '***', user: 'u' },
      datasources: {
        a: {
          apiKey: '***',
          API_KEY: '***',
          token: '***',
          client_secret: '***',
          private_key: '***',
          url: 'u',
        },
      },
      list: [{ passwd: '***' }],
      empty: { password: '' },
    });
  });

  it('masks the password of URLs and the values of secret variables inside any string', () => {
    expect(maskUrlPasswords('postgres://user:pa:ss@host:5432/db')).toBe('postgres://user:***@host:5432/db');
    expect(maskUrlPasswords('postgres://user@host/db and https://host/path?a=b')).toBe(
      'postgres://user@host/db and https://host/path?a=b',
    );
    expect(maskSecrets({ headers: { authorization: 'Bearer tok-1234' }, n: 1 }, ['tok-1234'])).toEqual({
      headers: { authorization: 'Bearer ***' },
      n: 1,
    });
  });
});
