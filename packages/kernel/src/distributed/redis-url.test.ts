import { isSageError, redactSecrets } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { parseRedisUrl, redactRedisUrl } from './redis-url.js';

describe('parseRedisUrl', () => {
  it('reads host, port, db, user, password and TLS', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toEqual({
      host: '127.0.0.1',
      port: 6379,
      db: 0,
      tls: false,
      display: 'redis://127.0.0.1:6379',
    });
    expect(parseRedisUrl('redis://cache')).toMatchObject({ host: 'cache', port: 6379, db: 0 });
    expect(parseRedisUrl('rediss://sage:s3cret-pass@cache.example.com:6380/4')).toEqual({
      host: 'cache.example.com',
      port: 6380,
      username: 'sage',
      password: 's3cret-pass',
      db: 4,
      tls: true,
      display: 'rediss://sage:****@cache.example.com:6380/4',
    });
    expect(parseRedisUrl('redis://:p%40ss%20word@[::1]:7000/')).toMatchObject({
      host: '::1',
      port: 7000,
      password: 'p@ss word',
      db: 0,
      display: 'redis://:****@[::1]:7000/',
    });
  });

  it('masks the password the way config output masks REDIS_URL', () => {
    const url = 'redis://default:s3cret-pass@cache:6379/0';
    expect(parseRedisUrl(url).display).toBe(redactSecrets({ REDIS_URL: url }).REDIS_URL);
    expect(redactRedisUrl(new URL('redis://cache:6379'))).toBe('redis://cache:6379');
  });

  it.each([
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['not a url', 'is not a valid URL'],
    ['localhost:6379', 'must start with redis:// or rediss://, not localhost://'],
    ['http://cache:6379', 'must start with redis:// or rediss://, not http://'],
    ['redis://:6379', 'is not a valid URL'],
    ['redis://cache:0', 'has port 0'],
    ['redis://cache:99999', 'is not a valid URL'],
    ['redis://cache/db1', 'has a database "db1" that is not a number >= 0'],
    ['redis://cache/-1', 'has a database "-1" that is not a number >= 0'],
    ['redis://cache?tls=true&password=hunter22', 'has query parameters (tls, password), which are not supported'],
    ['redis://cache#x', 'has a #fragment'],
    ['redis://hunter22@cache', 'has a user name but no password'],
  ])('refuses %j: %s', (value, problem) => {
    let caught: unknown;
    try {
      parseRedisUrl(value, 'REDIS_URL');
    } catch (error) {
      caught = error;
    }
    expect(isSageError(caught)).toBe(true);
    expect((caught as Error & { code: string }).code).toBe('SAGE_VALIDATION');
    expect((caught as Error).message).toContain(`REDIS_URL ${problem}`);
    expect((caught as Error).message).toContain('expected redis://');
    expect((caught as Error).message).not.toContain('hunter22');
  });

  it('never prints a password from an unparsable URL', () => {
    expect(() => parseRedisUrl('redis://:hunter22@:6379')).toThrow(/^Redis URL is not a valid URL/);
    expect(() => parseRedisUrl('redis://:hunter22@:6379')).not.toThrow(/hunter22/);
  });
});
