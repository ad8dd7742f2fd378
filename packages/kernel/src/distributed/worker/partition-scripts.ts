/**
 * The state changes of partitions on workers, one Lua script each. Key names come from keys.ts.
 */
import { mergeMetricsLua } from '../job-store-scripts.js';
import { LuaScript } from '../lua-script.js';

/**
 * Commits one processed batch (or end marker) of a partition, by its owner only: the input's last sequence,
 * the partition's output sequences, its keyed state, the end marker, a finished sink, and the metrics the
 * batch added. Either all of it is applied or, when the lease is someone else's (or gone), nothing.
 *
 * KEYS[1] lease, KEYS[2] done hash, KEYS[3] seq hash, KEYS[4] state hash, KEYS[5] ends set,
 * KEYS[6] sinks-done set, KEYS[7] job hash, KEYS[8] metrics hash
 * ARGV[1] worker id, ARGV[2] input (`<edge>.<upstream instance>`), ARGV[3] batch sequence,
 * ARGV[4] '1' for an end marker, ARGV[5] the sink partition that has finished, or '',
 * ARGV[6] n output sequences, ARGV[7] m state changes, then n (field, value) pairs, then m (field, JSON) pairs
 * (an empty JSON deletes the field), then metric triples as for the merge-metrics script.
 * Returns 'ok', 'lease' (not the owner: nothing written) or 'done' (the batch was committed before).
 */
export const commitBatchScript = new LuaScript(
  'commit-batch',
  `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'lease' end
local last = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '-1')
if last >= tonumber(ARGV[3]) then return 'done' end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
local sequences, changes = tonumber(ARGV[6]), tonumber(ARGV[7])
local i = 8
for _ = 1, sequences do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  i = i + 2
end
for _ = 1, changes do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[4], ARGV[i]) else redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]) end
  i = i + 2
end
if ARGV[4] == '1' then redis.call('SADD', KEYS[5], ARGV[2]) end
if ARGV[5] ~= '' then redis.call('SADD', KEYS[6], ARGV[5]) end
if redis.call('EXISTS', KEYS[7]) == 1 then
  ${mergeMetricsLua('KEYS[8]', 'i')}
end
return 'ok'
`,
);

/**
 * One heartbeat of a worker on a job: records that it is alive (and attached, should a slow start have let
 * others forget it), forgets workers silent for a lease period (also in the job's worker set, so the submitter
 * does not wait for them), renews the leases it holds and,
 * when asked, takes free partitions up to its fair share (ceil(partitions / live workers)).
 * Time is the server's (TIME), so workers' clocks do not matter.
 *
 * KEYS[1] alive sorted set, KEYS[2] the job's worker set, KEYS[3…] the lease of each partition
 * ARGV[1] worker id, ARGV[2] lease ms, ARGV[3] '1' to take free partitions
 * Returns the 1-based positions (in KEYS[3…]) of the partitions the worker holds now: positive for leases it
 * renewed, negative for partitions it has just taken (also one whose lease it had let lapse: what it held then
 * may be stale).
 */
export const heartbeatScript = new LuaScript(
  'partition-heartbeat',
  `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local lease = tonumber(ARGV[2])
for _, worker in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - lease)) do
  if worker ~= ARGV[1] then
    redis.call('ZREM', KEYS[1], worker)
    redis.call('SREM', KEYS[2], worker)
  end
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('SADD', KEYS[2], ARGV[1])
local share = math.ceil((#KEYS - 2) / redis.call('ZCARD', KEYS[1]))
local held = {}
for i = 3, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[i], lease)
    table.insert(held, i - 2)
  end
end
if ARGV[3] == '1' then
  for i = 3, #KEYS do
    if #held >= share then break end
    if redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', lease) then table.insert(held, 2 - i) end
  end
end
return held
`,
);

/**
 * Lets go of a job: deletes the leases the worker holds and its heartbeat.
 * KEYS[1] alive sorted set, KEYS[2…] leases; ARGV[1] worker id. Returns the number of leases released.
 */
export const releaseScript = new LuaScript(
  'partition-release',
  `
redis.call('ZREM', KEYS[1], ARGV[1])
local released = 0
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('DEL', KEYS[i])
    released = released + 1
  end
end
return released
`,
);
