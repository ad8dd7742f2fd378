import { describe, expect, it } from 'vitest';
import { evaluateRedisRequirements, type RedisServerFacts } from './redis-requirements.js';

const good: RedisServerFacts = { version: '7.0.15', maxmemoryPolicy: 'noeviction' };

describe('evaluateRedisRequirements', () => {
  it('finds nothing on a recent Redis with noeviction', () => {
    expect(evaluateRedisRequirements(good)).toEqual([]);
    expect(evaluateRedisRequirements({ ...good, version: '6.2.0' }, { strict: true })).toEqual([]);
  });

  it('refuses a Redis older than BullMQ accepts, strict or not', () => {
    const [finding] = evaluateRedisRequirements({ ...good, version: '4.0.9' });
    expect(finding).toMatchObject({ requirement: 'version', level: 'error' });
    expect(finding.message).toContain('Redis 4.0.9 is too old: BullMQ needs 5.0.0 or newer');
  });

  it('warns below the recommended 6.2.0, and fails under strict', () => {
    expect(evaluateRedisRequirements({ ...good, version: '6.0.5' })).toEqual([
      { requirement: 'version', level: 'warning', message: 'Redis 6.0.5 is older than the 6.2.0 BullMQ recommends' },
    ]);
    expect(evaluateRedisRequirements({ ...good, version: '6.0.5' }, { strict: true })[0].level).toBe('error');
  });

  it('warns about an evicting maxmemory-policy, and fails under strict', () => {
    const [finding] = evaluateRedisRequirements({ ...good, maxmemoryPolicy: 'allkeys-lru' });
    expect(finding).toMatchObject({ requirement: 'maxmemory-policy', level: 'warning' });
    expect(finding.message).toContain('maxmemory-policy is allkeys-lru');
    expect(finding.message).toContain('set it to noeviction');
    expect(evaluateRedisRequirements({ ...good, maxmemoryPolicy: 'volatile-lru' }, { strict: true })[0].level).toBe('error');
  });

  it('only warns, even under strict, when CONFIG or INFO cannot be read (managed Redis)', () => {
    const findings = evaluateRedisRequirements(
      { version: undefined, versionUnreadable: 'INFO server failed: NOPERM', maxmemoryPolicy: undefined, policyUnreadable: "CONFIG GET failed: ERR unknown command 'CONFIG'" },
      { strict: true },
    );
    expect(findings).toEqual([
      { requirement: 'version', level: 'warning', message: 'could not check the Redis version: INFO server failed: NOPERM' },
      {
        requirement: 'maxmemory-policy',
        level: 'warning',
        message: "could not check maxmemory-policy (CONFIG GET failed: ERR unknown command 'CONFIG'); make sure it is noeviction",
      },
    ]);
  });

  it('reads versions with suffixes and two parts', () => {
    expect(evaluateRedisRequirements({ ...good, version: '7.2.4-valkey' })).toEqual([]);
    expect(evaluateRedisRequirements({ ...good, version: '6.2' })).toEqual([]);
    expect(evaluateRedisRequirements({ ...good, version: 'banana' })[0].message).toContain('unrecognised version "banana"');
  });
});
