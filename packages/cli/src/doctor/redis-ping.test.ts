import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { displayRedisUrl, pingRedis } from './redis-ping.js';

/** The Redis the test environment provides (REDIS_URL, else the default). */
const REAL_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** A fake Redis on a random port; `reply` sees everything received so far and may answer. */
async function fakeRedis(reply: (received: string, socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      reply(received, socket);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

describe('pingRedis', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('gets PONG from the real Redis', async () => {
    expect(await pingRedis(new URL(REAL_REDIS_URL))).toEqual({ status: 'pong' });
  });

  it('reports a closed port as unreachable, quickly', async () => {
    const started = Date.now();
    const result = await pingRedis(new URL('redis://127.0.0.1:1'));
    expect(result).toEqual({ status: 'unreachable', reason: 'ECONNREFUSED' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('gives up after the timeout when nothing answers', async () => {
    const { server, port } = await fakeRedis(() => {});
    servers.push(server);
    const started = Date.now();
    const result = await pingRedis(new URL(`redis://127.0.0.1:${port}`), 200);
    expect(result).toEqual({ status: 'unreachable', reason: 'no answer within 200 ms' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('sends AUTH (as a RESP array) before PING when the URL has a password', async () => {
    let seen = '';
    const { server, port } = await fakeRedis((received, socket) => {
      seen = received;
      if (received.endsWith('PING\r\n')) socket.write('+OK\r\n+PONG\r\n');
    });
    servers.push(server);
    const result = await pingRedis(new URL(`redis://:p%40ss%20word@127.0.0.1:${port}`));
    expect(result).toEqual({ status: 'pong' });
    expect(seen).toBe('*2\r\n$4\r\nAUTH\r\n$9\r\np@ss word\r\nPING\r\n');
  });

  it('sends AUTH with the username for ACL users', async () => {
    let seen = '';
    const { server, port } = await fakeRedis((received, socket) => {
      seen = received;
      if (received.endsWith('PING\r\n')) socket.write('+OK\r\n+PONG\r\n');
    });
    servers.push(server);
    expect(await pingRedis(new URL(`redis://sage:secret@127.0.0.1:${port}`))).toEqual({ status: 'pong' });
    expect(seen).toBe('*3\r\n$4\r\nAUTH\r\n$4\r\nsage\r\n$6\r\nsecret\r\nPING\r\n');
  });

  it('reports an error reply (a password is needed, or wrong)', async () => {
    const { server, port } = await fakeRedis((_received, socket) => {
      socket.write('-NOAUTH Authentication required.\r\n');
    });
    servers.push(server);
    expect(await pingRedis(new URL(`redis://127.0.0.1:${port}`))).toEqual({
      status: 'error-reply',
      reply: 'NOAUTH Authentication required.',
    });
  });

  it('handles a reply split over several packets', async () => {
    const { server, port } = await fakeRedis((_received, socket) => {
      socket.write('+PO');
      setTimeout(() => socket.write('NG\r\n'), 20);
    });
    servers.push(server);
    expect(await pingRedis(new URL(`redis://127.0.0.1:${port}`))).toEqual({ status: 'pong' });
  });
});

describe('displayRedisUrl', () => {
  it('masks the password with maskSecret and keeps the rest', () => {
    expect(displayRedisUrl(new URL('redis://127.0.0.1:6379'))).toBe('redis://127.0.0.1:6379');
    expect(displayRedisUrl(new URL('redis://:hunter2@cache:6379/1'))).toBe('redis://:****@cache:6379/1');
    expect(displayRedisUrl(new URL('rediss://sage:correct-horse-battery@cache:6380'))).toBe(
      'rediss://sage:corr…(21 chars)@cache:6380',
    );
  });
});
