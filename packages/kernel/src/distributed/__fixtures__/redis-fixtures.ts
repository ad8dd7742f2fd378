/**
 * Test helpers for the Redis tests: the shared Redis (REDIS_URL, else 127.0.0.1:6379) under a unique key prefix
 * per test file, and private `redis-server` processes on 127.0.0.1 for what the shared one cannot show (a
 * password, TLS).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** A key prefix no other test uses: `sage-test:<label>:<random>`. */
export function uniquePrefix(label: string): string {
  return `sage-test:${label}:${randomBytes(4).toString('hex')}`;
}

/** Every key under `prefix:` (SCAN, so it works on a shared Redis). */
export async function keysUnder(client: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

/** Deletes every key under `prefix:`. */
export async function removePrefix(client: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(client, `${prefix}:*`);
  if (keys.length > 0) await client.del(...keys);
}

/** Whether an executable of this name is on PATH. */
export function hasCommand(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((directory) => {
    try {
      accessSync(join(directory, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface PrivateRedis {
  port: number;
  /** For TLS servers: the self-signed certificate (PEM) to trust. */
  certificate?: string;
  /** Shuts the server down (it writes its append-only file first) and starts it again on the same port and data. */
  restart(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` on a free 127.0.0.1 port, without persistence unless `appendOnly` (every write is
 * fsynced to the append-only file, as a deployment that must survive a restart would run it); `tls` makes it
 * TLS-only, with a certificate for 127.0.0.1 made by openssl in a temporary directory.
 */
export async function startPrivateRedis(options: { password?: string; tls?: boolean; appendOnly?: boolean } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), 'sage-redis-'));
  const persistence = options.appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const args = ['--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', directory];
  let certificate: string | undefined;
  if (options.password !== undefined) args.push('--requirepass', options.password);
  if (options.tls) {
    const cert = join(directory, 'cert.pem');
    const key = join(directory, 'key.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      { stdio: 'ignore' },
    );
    certificate = readFileSync(cert, 'utf8');
    args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', cert, '--tls-key-file', key, '--tls-auth-clients', 'no');
  } else {
    args.push('--port', String(port));
  }
  let child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForReady(child);
  const shutDown = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return {
    port,
    certificate,
    async restart({ downMs = 0 } = {}) {
      await shutDown();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      await waitForReady(child);
    },
    async stop() {
      await shutDown();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
