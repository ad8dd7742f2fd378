/**
 * Opening Redis connections for the distributed runtime. The first connection attempt is bounded: an unreachable
 * host, a refused password or a TLS mismatch fails within `connectTimeoutMs` with a `RedisConnectionError` that
 * names the redacted URL and the cause, instead of ioredis retrying forever. Once connected, a dropped connection
 * is re-established in the background.
 *
 * Three kinds: `command` connections (CLI) let a command fail after a few reconnect attempts; `runtime`
 * connections (the job store of a running job's submitter and workers) wait through a Redis restart of up to about
 * a minute before a command fails; `bullmq` connections retry commands without limit (`maxRetriesPerRequest:
 * null`), which BullMQ requires for workers' blocking commands.
 */
import { isIP } from 'node:net';
import type { Logger } from '@sage/common';
import { Redis, type RedisOptions } from 'ioredis';
import { RedisConnectionError } from './redis-connection-error.js';
import { parseRedisUrl, type RedisEndpoint, type RedisTlsOptions } from './redis-url.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** Attempts a `command` connection makes to reconnect before a queued command fails. */
const COMMAND_RETRIES = 2;
/** Attempts a `runtime` connection makes: with the reconnect delays below, about a minute of outage. */
const RUNTIME_RETRIES = 35;
const MAX_RECONNECT_DELAY_MS = 2000;

export type RedisConnectionKind = 'command' | 'runtime' | 'bullmq';

export interface ConnectRedisOptions {
  kind?: RedisConnectionKind;
  /** Longest time for connecting, TLS, AUTH and the ready check together; default 5000. */
  connectTimeoutMs?: number;
  /** Shown by `CLIENT LIST`, e.g. `sage:cli`. */
  connectionName?: string;
  /** Receives reconnection errors after the connection was established. */
  logger?: Logger;
  tls?: RedisTlsOptions;
}

/** Connects to Redis and resolves once it answers commands; rejects with `RedisConnectionError`. */
export async function connectRedis(target: string | RedisEndpoint, options: ConnectRedisOptions = {}): Promise<Redis> {
  const endpoint = typeof target === 'string' ? parseRedisUrl(target) : target;
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let established = false;
  const client = new Redis({
    ...connectionOptions(endpoint, options),
    connectTimeout: timeoutMs,
    lazyConnect: true,
    // No retry until the first connection succeeds: a wrong URL fails now instead of hanging.
    retryStrategy: (attempt) => (established ? Math.min(attempt * 200, MAX_RECONNECT_DELAY_MS) : null),
  });
  let lastError: Error | undefined;
  const recordError = (error: Error) => {
    lastError = error;
  };
  client.on('error', recordError);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError()), timeoutMs);
  });
  const connecting = client.connect();
  // After the deadline wins, the abandoned attempt still rejects; that is expected, not unhandled.
  connecting.catch(() => {});
  try {
    await Promise.race([connecting, deadline]);
  } catch (error) {
    client.disconnect();
    throw describeFailure(endpoint, error instanceof DeadlineError ? error : (lastError ?? (error as Error)), timeoutMs);
  } finally {
    clearTimeout(timer);
  }
  established = true;
  client.off('error', recordError);
  watchErrors(client, endpoint, options.logger);
  return client;
}

/** ioredis options for an endpoint (without the retry policy, which `connectRedis` owns). */
function connectionOptions(endpoint: RedisEndpoint, options: ConnectRedisOptions): RedisOptions {
  return {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.username,
    password: endpoint.password,
    db: endpoint.db,
    connectionName: options.connectionName,
    maxRetriesPerRequest: options.kind === 'bullmq' ? null : options.kind === 'runtime' ? RUNTIME_RETRIES : COMMAND_RETRIES,
    ...(endpoint.tls
      ? {
          tls: {
            // SNI takes host names only (RFC 6066).
            ...(isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
            ...(options.tls?.ca !== undefined ? { ca: options.tls.ca } : {}),
            ...(options.tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.tls.rejectUnauthorized } : {}),
          },
        }
      : {}),
  };
}

/** Later connection errors go to the logger (once per distinct message), never to an unhandled 'error' event. */
function watchErrors(client: Redis, endpoint: RedisEndpoint, logger: Logger | undefined): void {
  let lastMessage: string | undefined;
  client.on('error', (error: Error) => {
    if (error.message === lastMessage) return;
    lastMessage = error.message;
    logger?.warn({ redis: endpoint.display, cause: error.message }, 'Redis connection error; reconnecting');
  });
  client.on('ready', () => {
    lastMessage = undefined;
  });
}

class DeadlineError extends Error {}

/** A typed error for a failed first connection. The cause is copied without ioredis' command arguments (AUTH). */
function describeFailure(endpoint: RedisEndpoint, error: Error, timeoutMs: number): RedisConnectionError {
  const url = endpoint.display;
  if (error instanceof DeadlineError) {
    const hint = endpoint.tls ? ' (is the server listening for TLS on this port?)' : '';
    return new RedisConnectionError(url, 'timeout', `no answer within ${timeoutMs} ms${hint}`);
  }
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const message = error.message ?? String(error);
  const cause = Object.assign(new Error(message), code === '' ? {} : { code });
  if (code === 'ECONNREFUSED') {
    return new RedisConnectionError(url, 'refused', 'connection refused (ECONNREFUSED): is Redis running there?', cause);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new RedisConnectionError(url, 'host-not-found', `host "${endpoint.host}" not found (${code})`, cause);
  }
  if (code === 'ETIMEDOUT') {
    return new RedisConnectionError(url, 'timeout', `no answer within ${timeoutMs} ms (ETIMEDOUT)`, cause);
  }
  if (/^(WRONGPASS|NOAUTH|NOPERM)|invalid password|AUTH failed/i.test(message)) {
    const fix = endpoint.password === undefined ? 'the server needs a password: redis://:password@host' : 'check the user and password';
    return new RedisConnectionError(url, 'auth', `authentication failed: ${message} (${fix})`, cause);
  }
  if (isTlsError(code, message)) {
    const hint = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) || /certificate/i.test(message)
      ? 'the server certificate is not trusted: give the CA certificate that signed it'
      : endpoint.tls
        ? 'is the server listening for TLS on this port?'
        : 'use rediss:// if the server expects TLS';
    return new RedisConnectionError(url, 'tls', `TLS failed: ${message} (${hint})`, cause);
  }
  if (code === 'ECONNRESET' || /Connection is closed/i.test(message)) {
    const hint = endpoint.tls ? '' : ' (if the server expects TLS, use rediss://)';
    return new RedisConnectionError(url, 'closed', `the server closed the connection${hint}`, cause);
  }
  return new RedisConnectionError(url, 'error', code === '' ? message : `${message} (${code})`, cause);
}

function isTlsError(code: string, message: string): boolean {
  return (
    /^(ERR_SSL_|ERR_TLS_|EPROTO$)/.test(code) ||
    /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) ||
    /\b(SSL|TLS)\b|wrong version number|certificate/i.test(message)
  );
}
