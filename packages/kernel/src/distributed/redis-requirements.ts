/**
 * What the distributed runtime needs from its Redis, checked at start:
 * - a version BullMQ accepts: it refuses servers older than 5.0.0 and recommends 6.2.0 or newer (BullMQ 6's
 *   `RedisConnection.minimumVersion` / `recommendedMinimumVersion`);
 * - `maxmemory-policy noeviction`: any other policy lets Redis evict queue and job keys under memory pressure,
 *   which loses batches silently.
 * The decision (`evaluateRedisRequirements`) is separate from reading the server (redis-server-check.ts), so
 * each rule is testable.
 */

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
