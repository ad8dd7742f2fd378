/**
 * Redis URLs: `redis://[[user]:password@]host[:port][/db]`, or `rediss://…` for TLS. Parsing never echoes a
 * password: an error names the problem, and the URL a person sees is `redactRedisUrl`'s form with the password
 * replaced by `****` (the same form `redactSecrets` gives REDIS_URL in config output).
 */
import { ValidationError } from '@sage/common';

/** For `rediss://` servers whose certificate is not signed by a CA Node trusts. */
export interface RedisTlsOptions {
  /** PEM certificate(s) of the CA that signed the server's certificate. */
  ca?: string;
  /** Default true; false accepts any certificate (tests, never production). */
  rejectUnauthorized?: boolean;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_PORT = 6379;
const URL_SHAPE = 'redis://[[user]:password@]host[:port][/db] (rediss:// for TLS)';

/** A parsed, validated Redis URL. `display` is safe to print and log. */
export interface RedisEndpoint {
  host: string;
  port: number;
  /** ACL user name; absent for the default user. */
  username?: string;
  password?: string;
  db: number;
  tls: boolean;
  /** The URL with the password replaced by `****`. */
  display: string;
}

/**
 * Parses and validates a Redis URL. `source` names where it came from (`--redis`, `REDIS_URL`) in the
 * `ValidationError` thrown when it is unusable.
 */
export function parseRedisUrl(value: string, source = 'Redis URL'): RedisEndpoint {
  const fail = (problem: string): never => {
    throw new ValidationError(`${source} ${problem}; expected ${URL_SHAPE}`, { details: { source } });
  };
  if (typeof value !== 'string' || value.trim() === '') return fail('is empty');
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    // Not printed: an unparsable URL may still hold a password.
    return fail('is not a valid URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return fail(`must start with redis:// or rediss://, not ${url.protocol}//`);
  }
  if (url.search !== '' || url.hash !== '') {
    // Only the parameter names: a value could be a password.
    const names = [...url.searchParams.keys()].join(', ');
    return fail(`has ${url.search !== '' ? `query parameters (${names})` : 'a #fragment'}, which are not supported (use rediss:// for TLS)`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') return fail('has no host');
  const port = url.port === '' ? DEFAULT_PORT : Number(url.port);
  if (port === 0) return fail('has port 0');
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  if (username !== '' && password === '') {
    // Likely a password written without its colon (redis://secret@host): do not print the URL.
    return fail('has a user name but no password (write redis://:password@host for a password alone)');
  }
  const db = parseDb(url.pathname);
  if (db === undefined) return fail(`has a database "${url.pathname.slice(1)}" that is not a number >= 0`);
  return {
    host,
    port,
    ...(username !== '' ? { username } : {}),
    ...(password !== '' ? { password } : {}),
    db,
    tls: url.protocol === 'rediss:',
    display: redactRedisUrl(url),
  };
}

/** The URL as it may be printed: the password (if any) is `****`, everything else stays. */
export function redactRedisUrl(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = '****';
  return copy.href;
}

function parseDb(pathname: string): number | undefined {
  if (pathname === '' || pathname === '/') return 0;
  const text = pathname.slice(1);
  if (!/^\d{1,9}$/.test(text)) return undefined;
  return Number(text);
}
