/**
 * One benchmark worker process: `node --import tsx start-worker.ts <sage|bullmq>`, prefix and Redis from the
 * environment. `sage` runs a SageWorker on pipelines/; `bullmq` runs the plain BullMQ stage workers. SIGTERM ends it.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SageWorker } from '@sage/kernel';
import { startBullmqStages } from './bullmq-stages.js';

const mode = process.argv[2];
const prefix = process.env.BENCH_DIST_PREFIX!;
const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let close: () => Promise<unknown>;
if (mode === 'sage') {
  const worker = await SageWorker.start({
    redis,
    prefix,
    codeDir: join(dirname(fileURLToPath(import.meta.url)), 'pipelines'),
    pollMs: 50,
    // Workers take a job's partitions 500 ms after attaching, or one heartbeat if shorter: 250 ms keeps that
    // start cost small (the default heartbeat is leaseMs / 4 = 2.5 s). The lease stays at its default 10 s.
    recovery: { heartbeatMs: 250 },
  });
  close = () => worker.close();
} else {
  close = await startBullmqStages(redis, prefix, Number(process.env.BENCH_DIST_CONCURRENCY ?? '16'));
}
process.stdout.write('worker ready\n');
process.once('SIGTERM', () => {
  void close().finally(() => process.exit(0));
});
