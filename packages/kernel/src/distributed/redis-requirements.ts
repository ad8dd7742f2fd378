/**
 * What the distributed runtime needs from its Redis, checked at start:
 * - a version BullMQ accepts: it refuses servers older than 5.0.0 and recommends 6.2.0 or newer (BullMQ 6's
 *   `RedisConnection.minimumVersion` / `recommendedMinimumVersion`);
 * - `maxmemory-policy noeviction`: any other policy lets Redis evict queue and job keys under memory pressure,
 *   which loses batches silently.
 * The decision (`evaluateRedisRequirements`) is separate from reading the server, so each rule is testable.
 */
import { ConfigError, type Logger } from '@sage/common';
import type { Redis } from 'ioredis';

export const MINIMUM_REDIS_VERSION = '5.0.0';
export const RECOMMENDED_REDIS_VERSION = '6.2.0';
export const REQUIRED_MAXMEMORY_POLICY = 'noeviction';

/** What was read from the server; `undefined` when it could not be read, with the reason beside it. */
export interface RedisServerFacts {
  version: string | undefined;
  versionUnreadable?: string;
  maxmemoryPolicy: string | undefined;
  policyUnreadable?: string;
}

export interface RedisRequirementFinding {
  requirement: 'version' | 'maxmemory-policy';
  level: 'error' | 'warning';
  message: string;
}

export interface RedisRequirementOptions {
  /** Treat a known violation (old version, evicting policy) as an error; a value that cannot be read stays a warning. */
  strict?: boolean;
}

/** The findings for given server facts; empty when every requirement is met. */
export function evaluateRedisRequirements(
  facts: RedisServerFacts,
  options: RedisRequirementOptions = {},
): RedisRequirementFinding[] {
  const violation = options.strict ? 'error' : 'warning';
  const findings: RedisRequirementFinding[] = [];
  const version = facts.version === undefined ? undefined : parseVersion(facts.version);
  if (version === undefined) {
    const why = facts.versionUnreadable ?? `unrecognised version "${facts.version}"`;
    findings.push({ requirement: 'version', level: 'warning', message: `could not check the Redis version: ${why}` });
  } else if (compareVersions(version, parseVersion(MINIMUM_REDIS_VERSION)!) < 0) {
    findings.push({
      requirement: 'version',
      level: 'error',
      message: `Redis ${facts.version} is too old: BullMQ needs ${MINIMUM_REDIS_VERSION} or newer (${RECOMMENDED_REDIS_VERSION}+ recommended)`,
    });
  } else if (compareVersions(version, parseVersion(RECOMMENDED_REDIS_VERSION)!) < 0) {
    findings.push({
      requirement: 'version',
      level: violation,
      message: `Redis ${facts.version} is older than the ${RECOMMENDED_REDIS_VERSION} BullMQ recommends`,
    });
  }
  if (facts.maxmemoryPolicy === undefined) {
    const why = facts.policyUnreadable ?? 'no value returned';
    findings.push({
      requirement: 'maxmemory-policy',
      level: 'warning',
      message: `could not check maxmemory-policy (${why}); make sure it is ${REQUIRED_MAXMEMORY_POLICY}`,
    });
  } else if (facts.maxmemoryPolicy !== REQUIRED_MAXMEMORY_POLICY) {
    findings.push({
      requirement: 'maxmemory-policy',
      level: violation,
      message: `maxmemory-policy is ${facts.maxmemoryPolicy}, so Redis may evict queued batches and job state under memory pressure: set it to ${REQUIRED_MAXMEMORY_POLICY} (CONFIG SET maxmemory-policy ${REQUIRED_MAXMEMORY_POLICY}, and in redis.conf)`,
    });
  }
  return findings;
}

/** Reads `INFO server` and `CONFIG GET maxmemory-policy`; CONFIG is often disabled on managed Redis. */
export async function readRedisServerFacts(client: Redis): Promise<RedisServerFacts> {
  const facts: RedisServerFacts = { version: undefined, maxmemoryPolicy: undefined };
  try {
    facts.version = /^redis_version:(.+)$/m.exec(await client.info('server'))?.[1]?.trim();
    if (facts.version === undefined) facts.versionUnreadable = 'INFO server has no redis_version';
  } catch (error) {
    facts.versionUnreadable = `INFO server failed: ${(error as Error).message}`;
  }
  try {
    const reply = (await client.config('GET', 'maxmemory-policy')) as unknown;
    facts.maxmemoryPolicy = configValue(reply, 'maxmemory-policy');
  } catch (error) {
    facts.policyUnreadable = `CONFIG GET failed: ${(error as Error).message}`;
  }
  return facts;
}

/**
 * Reads the server and applies the rules: warnings go to the logger, errors throw one `ConfigError` listing
 * them. Resolves with every finding.
 */
export async function checkRedisRequirements(
  client: Redis,
  options: RedisRequirementOptions & { logger?: Logger; url?: string } = {},
): Promise<RedisRequirementFinding[]> {
  const findings = evaluateRedisRequirements(await readRedisServerFacts(client), options);
  const where = options.url === undefined ? 'Redis' : `Redis at ${options.url}`;
  for (const finding of findings) {
    if (finding.level === 'warning') options.logger?.warn({ redis: options.url, requirement: finding.requirement }, finding.message);
  }
  const errors = findings.filter((finding) => finding.level === 'error');
  if (errors.length > 0) {
    throw new ConfigError(`${where} does not meet the requirements: ${errors.map((finding) => finding.message).join('; ')}`, {
      details: { url: options.url, findings },
    });
  }
  return findings;
}

/** `CONFIG GET` answers `[name, value]` (RESP2) or `{ name: value }` (RESP3 mapped). */
function configValue(reply: unknown, name: string): string | undefined {
  if (Array.isArray(reply)) {
    const index = reply.indexOf(name);
    return index === -1 ? undefined : String(reply[index + 1]);
  }
  if (reply !== null && typeof reply === 'object' && name in reply) return String((reply as Record<string, unknown>)[name]);
  return undefined;
}

function parseVersion(text: string): number[] | undefined {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  return match === null ? undefined : [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

function compareVersions(left: number[], right: number[]): number {
  for (let index = 0; index < 3; index++) {
    if (left[index] !== right[index]) return left[index] - right[index];
  }
  return 0;
}
