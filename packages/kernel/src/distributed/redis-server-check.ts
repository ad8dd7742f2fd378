/** Reads the facts `evaluateRedisRequirements` decides on from a live server, and reports the findings. */
import { ConfigError, type Logger } from '@sage/common';
import type { Redis } from 'ioredis';
import { evaluateRedisRequirements, type RedisRequirementFinding, type RedisRequirementOptions, type RedisServerFacts } from './redis-requirements.js';

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
