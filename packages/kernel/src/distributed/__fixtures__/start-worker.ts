/** Starts a SageWorker for the tests: `node --import tsx start-worker.ts <code-dir>`; SIGTERM closes it. */
import { SageWorker } from '../worker/sage-worker.js';
import { fixtureSettings } from './pipelines/build-pipeline.js';

const { redis, prefix } = fixtureSettings();
const worker = await SageWorker.start({ redis, prefix, codeDir: process.argv[2], pollMs: 100 });
process.stdout.write('worker ready\n');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void worker.close().finally(() => process.exit(0));
  });
}
