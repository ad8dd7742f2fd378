/**
 * Masking for printing env and config. A secret is never shown whole: at most its first 4 characters and its
 * length, and nothing at all when it is shorter than 8 characters.
 */

const SECRET_KEY = /key|token|secret|password|passwd|credential/i;
const MIN_PARTIAL_LENGTH = 8;
const SHOWN_PREFIX = 4;
/** `scheme://user:password@` in connection strings (redis://:pw@host). */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)([^\s/@]+)@/gi;

/** Whether a key names a secret (api keys, tokens, passwords, credentials…). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** `sk-p…(51 chars)`; values shorter than 8 characters are shown as `****`. */
export function maskSecret(value: string): string {
  const characters = Array.from(value);
  if (characters.length < MIN_PARTIAL_LENGTH) return '****';
  return `${characters.slice(0, SHOWN_PREFIX).join('')}…(${characters.length} chars)`;
}

/**
 * A copy of `record` that is safe to print: values under secret keys (at any depth) are masked, and passwords
 * embedded in URLs anywhere are replaced by `****`. `null`/`undefined` stay visible so "unset" can be seen.
 */
export function redactSecrets(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  // Entries, not redactValue: `process.env` is not a plain object but must still be redacted.
  return redactEntries(record, false, new WeakSet([record]));
}

/** Internal: redact any value; `secret` says whether it sits under a secret key. */
export function redactValue(value: unknown, secret: boolean, ancestors = new WeakSet<object>()): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') return secret ? maskSecret(value) : value.replace(URL_PASSWORD, '$1****@');
  if (typeof value !== 'object') return secret ? maskSecret(String(value)) : value;
  if (Array.isArray(value) || isPlainObject(value)) {
    // `ancestors` holds the objects on the current path, so shared (non-cyclic) references print normally.
    if (ancestors.has(value)) return '[circular]';
    ancestors.add(value);
    const copy = Array.isArray(value)
      ? value.map((item) => redactValue(item, secret, ancestors))
      : redactEntries(value as Record<string, unknown>, secret, ancestors);
    ancestors.delete(value);
    return copy;
  }
  return secret ? '****' : value;
}

function redactEntries(
  record: Readonly<Record<string, unknown>>,
  secret: boolean,
  ancestors: WeakSet<object>,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    // defineProperty: a "__proto__" key stays an ordinary key instead of replacing the prototype.
    Object.defineProperty(copy, key, {
      value: redactValue(item, secret || isSecretKey(key), ancestors),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
