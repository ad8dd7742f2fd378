/**
 * pnpm bench:distributed: the same 3-stage pipeline (map -> filter -> sink) as a SAGE RemoteEnvironment job on
 * 2 worker processes, as plain BullMQ with one job per record on 2 worker processes, and in a LocalEnvironment;
 * then a light-load SAGE run for latency. Markdown on stdout, progress on stderr. Every key under this run's
 * prefix is removed and every worker process ended, also on failure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type JobResult, LocalEnvironment } from '@sage/kernel';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { bullPrefix, connect, STAGES } from './bullmq-stages.js';
import { HELP, readOptions } from './options.js';
import { buildPipeline, latencyKey, makeRecord, type RawRecord, survivors } from './pipelines/stages.js';
import { p50, percentile, printReport, type Result, rate } from './report.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const log = (message: string) => process.stderr.write(`${message}\n`);

const options = readOptions(process.argv.slice(2));
if (options === undefined) {
  console.log(HELP);
  process.exit(0);
}
const prefix = `bench-dist:${process.pid}-${Date.now().toString(36)}`;
process.env.BENCH_DIST_PREFIX = prefix;
process.env.REDIS_URL = options.redis;
process.env.BENCH_DIST_CONCURRENCY = String(options.bullConcurrency);
// No reconnect loop: an unreachable Redis fails the run at once instead of hanging it.
const admin = new Redis(options.redis, { lazyConnect: true, retryStrategy: () => null });
admin.on('error', () => undefined);
const children: ChildProcess[] = [];

/** Starts `count` worker processes of a mode and waits until each says it is ready. */
async function startWorkers(mode: 'sage' | 'bullmq', count: number): Promise<ChildProcess[]> {
  const started = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'start-worker.ts'), mode], {
      cwd: HERE,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    return child;
  });
  await Promise.all(
    started.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          let output = '';
          const timer = setTimeout(() => reject(new Error(`${mode} worker did not start:\n${output}`)), 30_000);
          const collect = (chunk: Buffer) => {
            output += chunk.toString();
            if (output.includes('worker ready')) {
              clearTimeout(timer);
              resolve();
            }
          };
          child.stdout!.on('data', collect);
          child.stderr!.on('data', (chunk: Buffer) => {
            collect(chunk);
            process.stderr.write(chunk);
          });
          child.once('exit', (code) => {
            clearTimeout(timer);
            reject(new Error(`${mode} worker exited with ${code}:\n${output}`));
          });
        }),
    ),
  );
  return started;
}

/** SIGTERM, then SIGKILL after 5 s. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Reads and removes the sink's samples; checks that every surviving record arrived once. */
async function takeLatencies(expected: number, what: string): Promise<number[]> {
  const key = latencyKey(prefix);
  const samples = (await admin.lrange(key, 0, -1)).map(Number).sort((a, b) => a - b);
  await admin.del(key);
  if (samples.length !== expected) throw new Error(`${what}: the sink saw ${samples.length} records, expected ${expected}`);
  return samples;
}

async function runLocal(records: number): Promise<Result> {
  log(`local: ${records} records`);
  const env = new LocalEnvironment('bench-distributed', { handleSignals: false });
  buildPipeline(env, { redis: options!.redis, prefix, count: records, rate: 0, warmup: 0 });
  const start = performance.now();
  await env.submit({ autostop: true });
  const wallMs = performance.now() - start;
  return { name: 'SAGE LocalEnvironment', records, wallMs, latencies: await takeLatencies(survivors(records), 'local'), note: 'this process' };
}

let remoteRuns = 0;
async function runRemote(name: string, records: number, recordsPerSecond: number, warmup: number, note: string): Promise<Result> {
  log(`${name}: ${records} records${recordsPerSecond > 0 ? ` at ${recordsPerSecond}/s after ${warmup} warm-up records` : ''}`);
  process.env.BENCH_DIST_COUNT = String(records + warmup);
  process.env.BENCH_DIST_RATE = String(recordsPerSecond);
  process.env.BENCH_DIST_WARMUP = String(warmup);
  // A fresh module instance per run: the module builds and submits at top level.
  const url = `${pathToFileURL(join(HERE, 'pipelines', 'remote.ts')).href}?run=${++remoteRuns}`;
  const run = (await import(url)) as { result: JobResult; submittedAt: number; finishedAt: number };
  if (run.result.status !== 'finished') throw new Error(`${name}: job ended ${run.result.status}`);
  const wallMs = run.finishedAt - run.submittedAt;
  return { name, records, wallMs, latencies: await takeLatencies(survivors(records + warmup, warmup), name), note };
}

async function runBullmq(records: number): Promise<Result> {
  log(`plain BullMQ: ${records} records, one job per record`);
  const workers = await startWorkers('bullmq', 2);
  const connection = connect(options!.redis);
  const queues = Object.fromEntries(STAGES.map((stage) => [stage, new Queue(stage, { connection, prefix: bullPrefix(prefix) })]));
  try {
    const start = performance.now();
    // Added in chunks of 500 (addBulk): each record still is one BullMQ job, stamped when its chunk is built.
    for (let i = 0; i < records; i += 500) {
      const chunk: RawRecord[] = [];
      for (let id = i; id < Math.min(records, i + 500); id++) chunk.push(makeRecord(id));
      await queues['parse-enrich']!.addBulk(chunk.map((data) => ({ name: 'r', data })));
    }
    const expected = survivors(records);
    for (;;) {
      const [kept, done, failed] = await Promise.all([
        queues.keep!.getCompletedCount(),
        queues.latency!.getCompletedCount(),
        Promise.all(STAGES.map((stage) => queues[stage]!.getFailedCount())),
      ]);
      if (failed.some((n) => n > 0)) throw new Error(`plain BullMQ: failed jobs ${failed.join('/')}`);
      if (kept === records && done === expected) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const wallMs = performance.now() - start;
    // The workers write their sink's samples when they close.
    await Promise.all(workers.map(stop));
    const latencies = await takeLatencies(expected, 'plain BullMQ');
    return {
      name: 'plain BullMQ, one job per record',
      records,
      wallMs,
      latencies,
      note: `2 worker processes, a Worker per stage each (concurrency ${options!.bullConcurrency})`,
    };
  } finally {
    await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true }).catch(() => undefined)));
    await Promise.all(Object.values(queues).map((queue) => queue.close()));
    connection.disconnect();
  }
}

/** UNLINKs every key under this run's prefix. */
async function removePrefix(): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await admin.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

let failed = false;
try {
  await admin.connect();
  const local = await runLocal(options.records);
  const sageWorkers = await startWorkers('sage', 2);
  const remote = await runRemote('SAGE RemoteEnvironment', options.records, 0, 0, '2 SageWorker processes; wall time includes the job start');
  const light = await runRemote(
    `SAGE RemoteEnvironment, light load (${options.rate}/s)`,
    options.rate * options.lightSeconds,
    options.rate,
    options.rate,
    'same workers; records/s includes the job start and the 1 s warm-up; latency of the records after it',
  );
  await Promise.all(sageWorkers.map(stop));
  const bullmq = await runBullmq(options.records);

  const remoteOverBull = rate(remote) / rate(bullmq);
  const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');
  printReport(options, [remote, bullmq, local, light], [
    `- SAGE remote ÷ plain BullMQ (records/s): ${remoteOverBull.toFixed(2)}x`,
    `- local ÷ SAGE remote (records/s): ${(rate(local) / rate(remote)).toFixed(2)}x`,
    `- SAGE remote p50 ÷ BullMQ p50 under full load: ${(p50(remote) / p50(bullmq)).toFixed(2)}`,
    '',
    'Targets (informational, exit code 0):',
    `- ${verdict(remoteOverBull >= 10)}: SAGE remote ≥ 10x the records/s of plain BullMQ one-job-per-record (${remoteOverBull.toFixed(2)}x)`,
    `- ${verdict(p50(light) < 5)}: SAGE remote p50 add-to-done at light load < 5 ms (${p50(light).toFixed(2)} ms; p99 ${percentile(light.latencies, 99).toFixed(2)} ms)`,
  ]);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await Promise.all(children.map(stop));
  if (admin.status === 'ready') await removePrefix().catch((error) => console.error('could not remove the benchmark keys:', error));
  admin.disconnect();
}
process.exit(failed ? 1 : 0);
