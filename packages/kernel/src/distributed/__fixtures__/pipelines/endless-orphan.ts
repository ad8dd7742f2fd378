/** An unbounded pipeline module run in a child process that the test kills: its workers must fail the job. */
import { fileURLToPath } from 'node:url';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { buildSink, Counter, fixtureSettings, type Word } from './build-pipeline.js';

const { redis, prefix } = fixtureSettings();
const env = new RemoteEnvironment('endless-orphan', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false });
buildSink(env.fromSource(Counter, {}, { name: 'counter' }).map((record: Word) => record, { name: 'copy', parallelism: 2 }), `${prefix}:sink:endless-orphan`);
await env.submit();
process.stdout.write(`submitted ${env.jobId}\n`);
