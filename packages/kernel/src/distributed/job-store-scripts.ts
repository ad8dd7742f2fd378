/**
 * The job store's state changes, one Lua script each, so that a job's hash and the indexes never disagree and
 * concurrent clients (a CLI stopping a job while an executor finishes it) cannot both win. Key names come from
 * keys.ts; the per-status indexes are passed as KEYS[2..6] in `JOB_RECORD_STATUSES` order.
 */
import { LuaScript } from './lua-script.js';

/**
 * Creates a job unless its id exists.
 * KEYS[1] job hash, KEYS[2] every-job index, KEYS[3] the `submitted` index
 * ARGV[1] job id, ARGV[2] submittedAt (epoch ms, the index score), ARGV[3…] field, value, field, value…
 * Returns 1 when created, 0 when the id was taken.
 */
export const createJobScript = new LuaScript(
  'create-job',
  `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
return 1
`,
);

/** Shared by the transition scripts: the index key of each status, and moving a job between them. */
const STATUS_INDEX = `
local index = { submitted = KEYS[2], running = KEYS[3], finished = KEYS[4], failed = KEYS[5], stopped = KEYS[6] }
local function move(id, from, to)
  local score = redis.call('HGET', KEYS[1], 'submittedAt')
  redis.call('ZREM', index[from], id)
  redis.call('ZADD', index[to], score, id)
  redis.call('HSET', KEYS[1], 'status', to)
end
`;

/**
 * Moves a job to a status if its current status allows it.
 * KEYS[1] job hash, KEYS[2..6] status indexes (submitted, running, finished, failed, stopped)
 * ARGV[1] job id, ARGV[2] target status, ARGV[3] now (epoch ms), ARGV[4] the statuses allowed to move to the
 * target, space separated, ARGV[5] '1' when the target is final, ARGV[6] error message and ARGV[7] error code
 * (empty unless failing)
 * Returns {'applied', previous} | {'refused', current} | {'missing'}.
 */
export const transitionScript = new LuaScript(
  'transition-job',
  `${STATUS_INDEX}
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return {'missing'} end
local allowed = false
for status in string.gmatch(ARGV[4], '%S+') do
  if status == current then allowed = true end
end
if not allowed then return {'refused', current} end
move(ARGV[1], current, ARGV[2])
if ARGV[2] == 'running' then redis.call('HSET', KEYS[1], 'startedAt', ARGV[3]) end
if ARGV[5] == '1' then redis.call('HSET', KEYS[1], 'endedAt', ARGV[3]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'errorMessage', ARGV[6], 'errorCode', ARGV[7]) end
return {'applied', current}
`,
);

/**
 * Asks a job to stop. A job that has not started is stopped at once; a running one gets `stopRequestedAt` and
 * its executor is told on the control channel, and moves it to `stopped` once its queues are drained; a job
 * that has ended is left alone.
 * KEYS as for the transition script
 * ARGV[1] job id, ARGV[2] now (epoch ms), ARGV[3] control channel, ARGV[4] final statuses, space separated
 * Returns {'stopped', previous} | {'requested', current} | {'ended', current} | {'missing'}.
 */
export const requestStopScript = new LuaScript(
  'request-stop',
  `${STATUS_INDEX}
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return {'missing'} end
for status in string.gmatch(ARGV[4], '%S+') do
  if status == current then return {'ended', current} end
end
if redis.call('HEXISTS', KEYS[1], 'stopRequestedAt') == 0 then
  redis.call('HSET', KEYS[1], 'stopRequestedAt', ARGV[2])
end
redis.call('PUBLISH', ARGV[3], 'stop')
if current == 'submitted' then
  move(ARGV[1], current, 'stopped')
  redis.call('HSET', KEYS[1], 'endedAt', ARGV[2])
  return {'stopped', current}
end
return {'requested', current}
`,
);

/**
 * Lua that applies the metric triples of ARGV from index `from` on to the metrics hash `metricsKey`:
 * operation ('i' integer add, 'f' float add, 'm' maximum), field, value. Shared by the scripts that merge metrics.
 */
export function mergeMetricsLua(metricsKey: string, from: string): string {
  return `for j = ${from}, #ARGV, 3 do
  local operation, field, value = ARGV[j], ARGV[j + 1], ARGV[j + 2]
  if operation == 'i' then
    redis.call('HINCRBY', ${metricsKey}, field, value)
  elseif operation == 'f' then
    redis.call('HINCRBYFLOAT', ${metricsKey}, field, value)
  else
    local old = tonumber(redis.call('HGET', ${metricsKey}, field) or '0')
    if tonumber(value) > old then redis.call('HSET', ${metricsKey}, field, value) end
  end
end`;
}

/**
 * Adds one worker's operator counters to a job's metrics, all at once.
 * KEYS[1] job hash, KEYS[2] metrics hash
 * ARGV triples: operation ('i' integer add, 'f' float add, 'm' maximum), field, value
 * Returns 1, or 0 (nothing written) when the job does not exist.
 */
export const mergeMetricsScript = new LuaScript(
  'merge-metrics',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
${mergeMetricsLua('KEYS[2]', '1')}
return 1
`,
);

/**
 * Appends log entries to a job's capped stream (approximate trimming: Redis keeps at least ARGV[1] entries and
 * trims whole stream nodes).
 * KEYS[1] job hash, KEYS[2] log stream
 * ARGV[1] cap, then quadruples: time (epoch ms), level, source, message
 * Returns the number of entries written (0 when the job does not exist).
 */
export const appendLogsScript = new LuaScript(
  'append-logs',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 2, #ARGV, 4 do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*',
    'time', ARGV[i], 'level', ARGV[i + 1], 'source', ARGV[i + 2], 'message', ARGV[i + 3])
end
return (#ARGV - 1) / 4
`,
);
