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

/** A Lua expression: deletes the leases from KEYS[first] on that worker ARGV[1] holds, and counts them. */
function deleteOwnLeasesLua(first: number): string {
  return `(function()
  local released = 0
  for i = ${first}, #KEYS do
    if redis.call('GET', KEYS[i]) == ARGV[1] then
      redis.call('DEL', KEYS[i])
      released = released + 1
    end
  end
  return released
end)()`;
}

/**
 * One heartbeat of a worker on a job: records that it is alive (and attached, should a slow start have let
 * others forget it), forgets workers silent for a lease period (also in the job's worker and taker sets, so the
 * submitter does not wait for them), renews the leases it holds and, when asked (`take`), balances:
 *
 * - it takes free partitions up to ceil(partitions / live workers), counting the workers still starting, if it
 *   holds no more than any other taker or less than the lower fair share floor(partitions / takers);
 * - otherwise, when no partition is free, it holds more than the lower fair share and at least two more than
 *   some other taker, it gives back its last partitions (in lease-key order), the excess over the upper fair
 *   share ceil(partitions / takers) but at least one and at most a slice (one partition per operator: with
 *   leases in slice order, a newcomer then takes whole slices through the pipeline).
 *
 * Only takers (workers that have asked to take at least once) count for balancing, so a worker still importing
 * the job's module draws no partitions away that it cannot run yet. Each hand-over leaves the giver at least one
 * above the taker, so partitions never go back and forth. A partition being given back is renewed (its batch in
 * progress commits under the lease) but counts as free, so nothing more is given until a newcomer has taken it.
 * Time is the server's (TIME), so workers' clocks do not matter.
 *
 * KEYS[1] alive sorted set, KEYS[2] the job's worker set, KEYS[3] the job's taker set, KEYS[4…] the lease of
 * each partition
 * ARGV[1] worker id, ARGV[2] lease ms, ARGV[3] '1' to take and give partitions, ARGV[4] the most partitions to
 * give back at once, ARGV[5…] the 1-based positions (in KEYS[4…]) of the partitions the worker is giving back
 * Returns two lists of 1-based positions in KEYS[4…]: the partitions the worker holds now (positive for leases
 * it renewed, negative for partitions it has just taken, also one whose lease it had let lapse: what it held
 * then may be stale), and the partitions it must give back (renewed, not in the first list).
 */
export const heartbeatScript = new LuaScript(
  'partition-heartbeat',
  `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local me, lease, balance = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1'
for _, worker in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - lease)) do
  if worker ~= me then
    redis.call('ZREM', KEYS[1], worker)
    redis.call('SREM', KEYS[2], worker)
    redis.call('SREM', KEYS[3], worker)
  end
end
redis.call('ZADD', KEYS[1], now, me)
redis.call('SADD', KEYS[2], me)
if balance then redis.call('SADD', KEYS[3], me) end
local leaving = {}
for i = 5, #ARGV do leaving[tonumber(ARGV[i])] = true end
local counts = {}
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[3])) do counts[worker] = 0 end
local held, free = {}, 0
for i = 4, #KEYS do
  local owner = redis.call('GET', KEYS[i])
  if owner == me then
    redis.call('PEXPIRE', KEYS[i], lease)
    if leaving[i - 3] then free = free + 1 else table.insert(held, i - 3) end
  elseif owner then
    if counts[owner] then counts[owner] = counts[owner] + 1 end
  else
    free = free + 1
  end
end
local given = {}
if not balance then return { held, given } end
local partitions, takers, fewest = #KEYS - 3, 0, #held
for worker, count in pairs(counts) do
  takers = takers + 1
  if worker ~= me and count < fewest then fewest = count end
end
local lower = math.floor(partitions / takers)
if #held <= fewest or #held < lower then
  local share = math.ceil(partitions / redis.call('ZCARD', KEYS[1]))
  for i = 4, #KEYS do
    if #held >= share then break end
    if not leaving[i - 3] and redis.call('SET', KEYS[i], me, 'NX', 'PX', lease) then table.insert(held, 3 - i) end
  end
elseif free == 0 and #held > lower and #held >= fewest + 2 then
  local count = math.min(tonumber(ARGV[4]), math.max(1, #held - math.ceil(partitions / takers)))
  for _ = 1, count do table.insert(given, table.remove(held)) end
end
return { held, given }
`,
);

/**
 * Gives back partitions whose instances this worker has closed: deletes each lease it still holds.
 * KEYS[1…] leases; ARGV[1] worker id. Returns the number of leases deleted.
 */
export const handOverScript = new LuaScript('partition-hand-over', `return ${deleteOwnLeasesLua(1)}`);

/**
 * Lets go of a job: deletes the leases the worker holds, its heartbeat and its place among the takers.
 * KEYS[1] alive sorted set, KEYS[2] taker set, KEYS[3…] leases; ARGV[1] worker id. Returns the number of leases
 * released.
 */
export const releaseScript = new LuaScript(
  'partition-release',
  `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
return ${deleteOwnLeasesLua(3)}
`,
);
