/**
 * Redis answers PING at REDIS_URL, else the config's `redis.url`, else redis://127.0.0.1:6379, and meets what the
 * remote runtime needs (BullMQ's version, `maxmemory-policy noeviction`). Unreachable is a warning: Redis is only
 * needed for remote execution.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, loadSageConfig, SAGE_CONFIG_FILE } from '@sage/common';
import { JobStore, type RedisRequirementFinding } from '@sage/kernel';
import type { CheckResult, DoctorCheck, DoctorContext } from './doctor-check.js';
import { DEFAULT_REDIS_URL, displayRedisUrl, pingRedis, REDIS_PING_TIMEOUT_MS } from './redis-ping.js';

const START_REDIS = 'docker run -d --name sage-redis -p 6379:6379 redis:7 (or set REDIS_URL)';

export interface RedisCheckOptions {
  timeoutMs?: number;
}

export function createRedisCheck(options: RedisCheckOptions = {}): DoctorCheck {
  const timeoutMs = options.timeoutMs ?? REDIS_PING_TIMEOUT_MS;
  return {
    name: 'redis',
    async run(context) {
      const { value, source } = resolveRedisUrl(context);
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        // Not printed: an unparsable URL may still hold a password.
        return { status: 'warn', detail: `${source} is not a valid URL`, fix: 'set it to redis://host:port' };
      }
      if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
        return { status: 'warn', detail: `${source} is not a redis:// or rediss:// URL`, fix: 'set it to redis://host:port' };
      }
      const shown = displayRedisUrl(url);
      const ping = await pingRedis(url, timeoutMs);
      if (ping.status !== 'pong') return describePing(shown, source, ping);
      return describeRequirements(`${shown} (${source})`, await requirementFindings(value, timeoutMs));
    },
  };
}

/** REDIS_URL wins over the config file, as for the runtime. A broken config is the config check's to report. */
export function resolveRedisUrl(context: DoctorContext): { value: string; source: string } {
  const fromEnv = context.env.REDIS_URL;
  if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: 'REDIS_URL' };
  if (existsSync(join(context.cwd, SAGE_CONFIG_FILE))) {
    try {
      const config = loadSageConfig(undefined, { cwd: context.cwd, env: { ...context.env } });
      return { value: config.redis.url, source: `${SAGE_CONFIG_FILE} redis.url` };
    } catch {
      // fall through to the default
    }
  }
  return { value: DEFAULT_REDIS_URL, source: 'default' };
}

/** What the job store's requirement check finds; none when it cannot connect (the ping has answered already). */
async function requirementFindings(url: string, timeoutMs: number): Promise<RedisRequirementFinding[]> {
  let store: JobStore;
  try {
    store = await JobStore.connect({ redis: url, connectTimeoutMs: timeoutMs, logger: createLogger({ level: 'silent' }) });
  } catch {
    return [];
  }
  try {
    return await store.checkRequirements();
  } finally {
    await store.close();
  }
}

function describeRequirements(where: string, findings: RedisRequirementFinding[]): CheckResult {
  if (findings.length === 0) return { status: 'ok', detail: `PONG from ${where}` };
  const policy = findings.some((finding) => finding.requirement === 'maxmemory-policy');
  return {
    status: findings.some((finding) => finding.level === 'error') ? 'fail' : 'warn',
    detail: `PONG from ${where}, but ${findings.map((finding) => finding.message).join('; ')}`,
    fix: policy ? 'CONFIG SET maxmemory-policy noeviction, and maxmemory-policy noeviction in redis.conf' : 'upgrade Redis to 6.2 or newer',
  };
}

function describePing(
  shownUrl: string,
  source: string,
  result: Awaited<ReturnType<typeof pingRedis>>,
): CheckResult {
  const where = `${shownUrl} (${source})`;
  switch (result.status) {
    case 'pong':
      return { status: 'ok', detail: `PONG from ${where}` };
    case 'error-reply':
      return {
        status: 'warn',
        detail: `${where} answered: ${result.reply}`,
        fix: /NOAUTH|WRONGPASS|AUTH/i.test(result.reply)
          ? 'put the password in REDIS_URL: redis://:<password>@host:port'
          : START_REDIS,
      };
    case 'unreachable':
      return {
        status: 'warn',
        detail: `unreachable at ${where}: ${result.reason}; only needed for remote execution`,
        fix: START_REDIS,
      };
  }
}
