import { ConfigError } from '@sage/common';

/** Why a connection could not be established; stable, for callers that switch on it. */
export type RedisConnectionFailure = 'refused' | 'host-not-found' | 'timeout' | 'auth' | 'tls' | 'closed' | 'error';

/** Redis could not be reached or refused us. The message names the URL without its password. */
export class RedisConnectionError extends ConfigError {
  readonly url: string;
  readonly reason: RedisConnectionFailure;

  constructor(url: string, reason: RedisConnectionFailure, explanation: string, cause?: Error) {
    super(`cannot connect to Redis at ${url}: ${explanation}`, { cause, details: { url, reason } });
    this.url = url;
    this.reason = reason;
  }
}
