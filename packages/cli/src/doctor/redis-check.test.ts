import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, removeDirectory } from '../__fixtures__/memory-io.js';
import { HAS_REDIS_SERVER, startRedis } from '../__fixtures__/private-redis.js';
import { createRedisCheck, resolveRedisUrl } from './redis-check.js';

const REAL_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

describe('redis check', () => {
  let directory: string;
  beforeEach(() => {
    directory = makeTempDirectory();
  });
  afterEach(() => removeDirectory(directory));

  it('takes REDIS_URL first, then the config file, then the default', () => {
    expect(resolveRedisUrl({ cwd: directory, env: {} })).toEqual({ value: 'redis://127.0.0.1:6379', source: 'default' });
    writeFileSync(join(directory, 'sage.config.yaml'), 'redis:\n  url: redis://cache:6380\n');
    expect(resolveRedisUrl({ cwd: directory, env: {} })).toEqual({
      value: 'redis://cache:6380',
      source: 'sage.config.yaml redis.url',
    });
    expect(resolveRedisUrl({ cwd: directory, env: { REDIS_URL: 'redis://other:1' } })).toEqual({
      value: 'redis://other:1',
      source: 'REDIS_URL',
    });
  });

  it('falls back to the default when the config file is broken', () => {
    writeFileSync(join(directory, 'sage.config.yaml'), 'redis:\n  url: http://nope\n');
    expect(resolveRedisUrl({ cwd: directory, env: {} }).source).toBe('default');
  });

  it('is ok against the real Redis', async () => {
    const result = await createRedisCheck().run({ cwd: directory, env: { REDIS_URL: REAL_REDIS_URL } });
    expect(result.status).toBe('ok');
    expect(result.detail).toMatch(/^PONG from redis/);
  });

  it.skipIf(!HAS_REDIS_SERVER)('warns, with the fix, when Redis may evict what the remote runtime stores', async () => {
    const redis = await startRedis(['--maxmemory-policy', 'allkeys-lru']);
    try {
      const result = await createRedisCheck().run({ cwd: directory, env: { REDIS_URL: redis.url } });
      expect(result.status).toBe('warn');
      expect(result.detail).toMatch(/^PONG from redis:\/\/127\.0\.0\.1:\d+ \(REDIS_URL\), but .*allkeys-lru/);
      expect(result.fix).toContain('CONFIG SET maxmemory-policy noeviction');
    } finally {
      redis.stop();
    }
  });

  it('warns quickly, with a fix, when nothing listens (closed port)', async () => {
    const started = Date.now();
    const result = await createRedisCheck().run({ cwd: directory, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(result.status).toBe('warn');
    expect(result.detail).toBe(
      'unreachable at redis://127.0.0.1:1 (REDIS_URL): ECONNREFUSED; only needed for remote execution',
    );
    expect(result.fix).toContain('docker run');
  });

  it('never prints the password', async () => {
    const result = await createRedisCheck().run({
      cwd: directory,
      env: { REDIS_URL: 'redis://:very-secret-password@127.0.0.1:1' },
    });
    expect(result.detail).not.toContain('very-secret-password');
    expect(result.detail).toContain('redis://:very…(20 chars)@127.0.0.1:1');
  });

  it('warns about a URL that is not redis://, without printing it', async () => {
    const result = await createRedisCheck().run({ cwd: directory, env: { REDIS_URL: 'not a url with pa55word' } });
    expect(result.status).toBe('warn');
    expect(result.detail).toBe('REDIS_URL is not a valid URL');
    const http = await createRedisCheck().run({ cwd: directory, env: { REDIS_URL: 'http://127.0.0.1:6379' } });
    expect(http.detail).toBe('REDIS_URL is not a redis:// or rediss:// URL');
  });
});
