/**
 * A dependency-free Redis liveness probe: open a TCP (or TLS, for rediss://) socket, send AUTH when the URL has
 * a password, then `PING`, and expect `+PONG` — all within one timeout.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { maskSecret } from '@sage/common';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const REDIS_PING_TIMEOUT_MS = 1000;
const DEFAULT_REDIS_PORT = 6379;

export type RedisPingResult =
  | { status: 'pong' }
  /** Could not connect, or no answer in time. */
  | { status: 'unreachable'; reason: string }
  /** Connected, but Redis answered with an error (NOAUTH, WRONGPASS…). */
  | { status: 'error-reply'; reply: string };

export async function pingRedis(url: URL, timeoutMs = REDIS_PING_TIMEOUT_MS): Promise<RedisPingResult> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = url.port === '' ? DEFAULT_REDIS_PORT : Number(url.port);
  const password = decodeURIComponent(url.password);
  const username = decodeURIComponent(url.username);
  const commands: string[][] = [];
  if (password !== '') commands.push(username !== '' ? ['AUTH', username, password] : ['AUTH', password]);

  return new Promise((resolve) => {
    const useTls = url.protocol === 'rediss:';
    const socket: Socket = useTls ? connectTls({ host, port, servername: host }) : connectTcp({ host, port });
    let settled = false;
    let buffered = '';
    const finish = (result: RedisPingResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ status: 'unreachable', reason: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.once(useTls ? 'secureConnect' : 'connect', () => {
      // AUTH as a RESP array (the password may hold spaces); PING inline.
      socket.write(commands.map(encodeCommand).join('') + 'PING\r\n');
    });
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let end: number;
      while ((end = buffered.indexOf('\r\n')) !== -1) {
        const reply = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (reply.startsWith('-')) return finish({ status: 'error-reply', reply: reply.slice(1) });
        if (commands.length > 0) {
          commands.shift(); // +OK to AUTH
          continue;
        }
        return finish(reply === '+PONG' ? { status: 'pong' } : { status: 'error-reply', reply: `unexpected reply ${JSON.stringify(reply.slice(0, 80))}` });
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      finish({ status: 'unreachable', reason: error.code ?? error.message });
    });
    socket.on('close', () => finish({ status: 'unreachable', reason: 'connection closed before PONG' }));
  });
}

/** The URL for display: any password replaced by its maskSecret form. */
export function displayRedisUrl(url: URL): string {
  if (url.password === '') return url.href;
  const user = decodeURIComponent(url.username);
  const masked = maskSecret(decodeURIComponent(url.password));
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.protocol}//${user}:${masked}@${url.host}${path}`;
}

function encodeCommand(parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`;
}
