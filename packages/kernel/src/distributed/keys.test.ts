import { describe, expect, it } from 'vitest';
import { newJobId } from './job-record.js';
import { batchJobId, isJobId, queueName, RedisKeys, serviceQueueName } from './keys.js';

const ID = '0mgx1k2p3-x8f2k1';

describe('RedisKeys', () => {
  it('puts everything of a job under <prefix>:job:<id>', () => {
    const keys = new RedisKeys();
    expect(keys.prefix).toBe('sage');
    expect(keys.jobIndex()).toBe('sage:jobs');
    expect(keys.statusIndex('running')).toBe('sage:jobs:running');
    expect(keys.job(ID)).toBe(`sage:job:${ID}`);
    for (const key of [keys.jobMetrics(ID), keys.jobLogs(ID), keys.jobControl(ID), keys.queuePrefix(ID)]) {
      expect(key.startsWith(`sage:job:${ID}:`)).toBe(true);
    }
    expect(keys.jobKeyPattern(ID)).toBe(`sage:job:${ID}:*`);
    expect(new RedisKeys('team-a:sage_1.x').job(ID)).toBe(`team-a:sage_1.x:job:${ID}`);
  });

  it('forms the remote executor\'s per-partition counters and the worker set under the job', () => {
    const keys = new RedisKeys();
    expect(keys.partitionEnds(ID, 'my map', 1)).toBe(`sage:job:${ID}:ends:my%20map.1`);
    expect(keys.partitionSequences(ID, 'my map', 1)).toBe(`sage:job:${ID}:seq:my%20map.1`);
    expect(keys.partitionDone(ID, 'my map', 1)).toBe(`sage:job:${ID}:done:my%20map.1`);
    expect(keys.partitionState(ID, 'my map', 1)).toBe(`sage:job:${ID}:state:my%20map.1`);
    expect(keys.partitionLease(ID, 'my map', 1)).toBe(`sage:job:${ID}:lease:my%20map.1`);
    expect(keys.jobAlive(ID)).toBe(`sage:job:${ID}:alive`);
    expect(keys.jobTakers(ID)).toBe(`sage:job:${ID}:takers`);
    expect(keys.sinksDone(ID)).toBe(`sage:job:${ID}:sinks-done`);
    expect(keys.jobWorkers(ID)).toBe(`sage:job:${ID}:workers`);
    expect(keys.serviceQueuePrefix(ID)).toBe(`sage:job:${ID}:svc`);
    expect(serviceQueueName('my counter')).toBe('my%20counter');
    expect(() => serviceQueueName('')).toThrow(/service name must be a non-empty string/);
  });

  it.each(['', 'a b', 'sage*', 'sage?', 'a[b]', 'a:', ':a', 'a::b', '{sage}'])('refuses the prefix %j', (prefix) => {
    expect(() => new RedisKeys(prefix)).toThrow(/Redis key prefix/);
  });

  it('refuses ids that newJobId does not make (they would be SCAN patterns or other keys)', () => {
    const keys = new RedisKeys();
    for (const id of ['*', 'x', `${ID}:metrics`, `${ID}*`, ID.toUpperCase()]) {
      expect(() => keys.job(id)).toThrow(/is not a job id/);
    }
  });
});

describe('newJobId', () => {
  it('is sortable by time and has the job id shape', () => {
    const ids = [1, 1_700_000_000_000, 1_800_000_000_000, 4_000_000_000_000].map((time) => newJobId(time));
    for (const id of ids) expect(isJobId(id)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(newJobId(0, (size) => Buffer.alloc(size, 35))).toBe('000000000-zzzzzz');
  });
});

describe('queueName and batchJobId', () => {
  it('encodes operator names BullMQ would refuse, one name per (operator, partition)', () => {
    expect(queueName('map_1', 0)).toBe('map_1.0');
    expect(queueName('a:b c', 3)).toBe('a%3Ab%20c.3');
    expect(queueName('ünï', 1)).toBe('%C3%BCn%C3%AF.1');
    expect(queueName('x%3A', 0)).not.toBe(queueName('x:', 0));
    expect(() => queueName('map', -1)).toThrow(/partition/);
  });

  it('makes batch ids that BullMQ accepts as custom ids: no ":" and never an integer', () => {
    const id = batchJobId(1, 2, 3);
    expect(id).toBe('b1.2.3');
    expect(id).not.toContain(':');
    expect(`${Number.parseInt(id, 10)}`).not.toBe(id);
    expect(() => batchJobId(0, 0, -1)).toThrow(/sequence/);
    expect(() => batchJobId(0.5, 0, 0)).toThrow(/edge/);
  });
});
