import { createServer, type Server } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, type PrivateRedis, REDIS_URL, startPrivateRedis } from './__fixtures__/redis-fixtures.js';
import { connectRedis } from './redis-connection.js';
import { RedisConnectionError } from './redis-connection-error.js';
import { checkRedisRequirements, readRedisServerFacts } from './redis-server-check.js';
import { parseRedisUrl } from './redis-url.js';

/** The error `connectRedis` rejected with, and how long it took. */
async function failure(url: string, options: Parameters<typeof connectRedis>[1] = {}) {
  const started = Date.now();
  const error = await connectRedis(url, options).then(
    (client) => {
      client.disconnect();
      throw new Error(`connected to ${url}`);
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RedisConnectionError);
  return { error: error as RedisConnectionError, ms: Date.now() - started };
}

describe('connectRedis against the shared Redis', () => {
  let client: Redis;
  afterAll(() => client?.disconnect());

  it('connects, answers, and selects the database of the URL', async () => {
    client = await connectRedis(`${REDIS_URL.replace(/\/\d*$/, '')}/2`);
    expect(await client.ping()).toBe('PONG');
    const info = await client.client('INFO');
    expect(String(info)).toMatch(/ db=2 /);
  });

  it('makes bullmq connections that retry commands without limit', async () => {
    const bullmq = await connectRedis(REDIS_URL, { kind: 'bullmq' });
    expect(bullmq.options.maxRetriesPerRequest).toBeNull();
    expect(client.options.maxRetriesPerRequest).toBe(2);
    bullmq.disconnect();
  });

  it('reads the real server version and maxmemory-policy', async () => {
    const facts = await readRedisServerFacts(client);
    expect(facts.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(facts.maxmemoryPolicy).toBe(await client.config('GET', 'maxmemory-policy').then((reply) => (reply as string[])[1]));
    // The CI Redis runs with noeviction (.ci/run starts it so); a developer's Redis may not.
    const findings = await checkRedisRequirements(client, { url: REDIS_URL });
    expect(findings.filter((finding) => finding.level === 'error')).toEqual([]);
  });
});

describe('connectRedis failures are fast, typed, and never show the password', () => {
  it('a closed port: refused', async () => {
    const { error, ms } = await failure('redis://:hunter2-secret@127.0.0.1:1');
    expect(error.reason).toBe('refused');
    expect(error.code).toBe('SAGE_CONFIG');
    expect(error.message).toBe(
      'cannot connect to Redis at redis://:****@127.0.0.1:1: connection refused (ECONNREFUSED): is Redis running there?',
    );
    expect(ms).toBeLessThan(2000);
  });

  it('an unknown host: not found', async () => {
    const { error, ms } = await failure('redis://no-such-host.invalid:6379');
    expect(error.reason).toBe('host-not-found');
    expect(error.message).toContain('host "no-such-host.invalid" not found');
    expect(ms).toBeLessThan(6000);
  });

  it('a server that accepts but never answers: timeout', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const { error, ms } = await failure(`redis://127.0.0.1:${port}`, { connectTimeoutMs: 300 });
      expect(error.reason).toBe('timeout');
      expect(error.message).toContain('no answer within 300 ms');
      expect(ms).toBeLessThan(1500);
    } finally {
      silent.close();
    }
  });

  it('an ACL user that does not exist: authentication failed', async () => {
    const url = new URL(REDIS_URL);
    url.username = 'sage-no-such-user';
    url.password = 'hunter2-secret';
    const { error } = await failure(url.href);
    expect(error.reason).toBe('auth');
    expect(error.message).toContain('WRONGPASS');
    expect(error.message).toContain('sage-no-such-user:****@');
    expect(JSON.stringify({ ...error, cause: String(error.cause) })).not.toContain('hunter2-secret');
  });

  it('rediss:// to a plain-text Redis: no TLS answer within the timeout, with a hint', async () => {
    const { host, port } = parseRedisUrl(REDIS_URL);
    const { error, ms } = await failure(`rediss://${host}:${port}`, { connectTimeoutMs: 500 });
    expect(['timeout', 'tls', 'closed']).toContain(error.reason);
    expect(error.message).toContain('TLS');
    expect(ms).toBeLessThan(2000);
  });
});

describe.skipIf(!hasCommand('redis-server'))('connectRedis to a password-protected Redis (private redis-server)', () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await startPrivateRedis({ password: 'correct-horse' });
  });
  afterAll(() => server?.stop());

  it('connects with the right password', async () => {
    const client = await connectRedis(`redis://:correct-horse@127.0.0.1:${server.port}`);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });

  it('fails with a wrong password, naming the cause but not the password', async () => {
    const { error, ms } = await failure(`redis://:wrong-horse@127.0.0.1:${server.port}`);
    expect(error.reason).toBe('auth');
    expect(error.message).toMatch(/authentication failed: WRONGPASS/);
    expect(error.message).toContain(`redis://:****@127.0.0.1:${server.port}`);
    expect(`${error.message} ${String(error.cause)}`).not.toContain('wrong-horse');
    expect(ms).toBeLessThan(2000);
  });

  it('fails without a password, saying one is needed', async () => {
    const { error } = await failure(`redis://127.0.0.1:${server.port}`);
    expect(error.reason).toBe('auth');
    expect(error.message).toContain('NOAUTH');
    expect(error.message).toContain('the server needs a password');
  });
});

describe.skipIf(!hasCommand('redis-server') || !hasCommand('openssl'))('connectRedis over TLS (private redis-server)', () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await startPrivateRedis({ tls: true, password: 'tls-horse' });
  });
  afterAll(() => server?.stop());

  it('connects with rediss:// when the certificate is trusted', async () => {
    const client = await connectRedis(`rediss://:tls-horse@127.0.0.1:${server.port}`, { tls: { ca: server.certificate } });
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });

  it('refuses an untrusted certificate with a TLS error', async () => {
    const { error } = await failure(`rediss://:tls-horse@127.0.0.1:${server.port}`);
    expect(error.reason).toBe('tls');
    expect(error.message).toContain('TLS failed: self-signed certificate (the server certificate is not trusted');
    expect(error.message).not.toContain('tls-horse');
  });

  it('redis:// to a TLS port fails fast and suggests rediss://', async () => {
    const { error, ms } = await failure(`redis://:tls-horse@127.0.0.1:${server.port}`, { connectTimeoutMs: 1000 });
    expect(error.message).toMatch(/rediss:\/\//);
    expect(ms).toBeLessThan(2500);
  });
});
