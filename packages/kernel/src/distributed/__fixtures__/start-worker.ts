/**
 * Starts a SageWorker for the tests: `node --import tsx start-worker.ts <code-dir>`; SIGTERM closes it. Leases,
 * locks and stalled checks are short (about 2 s to replace a dead worker) so that recovery tests stay quick.
 */
import { SageWorker } from '../worker/sage-worker.js';
import { fixtureSettings } from './pipelines/build-pipeline.js';

const { redis, prefix } = fixtureSettings();
const worker = await SageWorker.start({
  redis,
  prefix,
  codeDir: process.argv[2],
  pollMs: 100,
  recovery: { leaseMs: 1_500, heartbeatMs: 250, lockDurationMs: 1_500, stalledIntervalMs: 500 },
});
process.stdout.write(`worker ready ${worker.id}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void worker.close().finally(() => process.exit(0));
  });
}
