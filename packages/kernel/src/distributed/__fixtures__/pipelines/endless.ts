/** An unbounded pipeline module: numbers until the job is stopped, each appended to a Redis list by the sink. */
import { fileURLToPath } from 'node:url';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { buildSink, Counter, fixtureSettings, type Word } from './build-pipeline.js';

const { redis, prefix } = fixtureSettings();
export const env = new RemoteEnvironment('endless', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false, lingerMs: 5 });
buildSink(env.fromSource(Counter, {}, { name: 'counter' }).map((record: Word) => record, { name: 'copy', parallelism: 2 }), `${prefix}:sink:endless`);
await env.submit();
