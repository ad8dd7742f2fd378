/** The event-time pipeline on workers (windows, watermarks combined over two instances, late data). */
import { fileURLToPath } from 'node:url';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { buildWindowedPipeline, windowedSinkKey } from './build-windowed-pipeline.js';
import { fixtureSettings } from './build-pipeline.js';

const { redis, prefix } = fixtureSettings();
const env = new RemoteEnvironment('windowed-counts', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false });
buildWindowedPipeline(env, { sinkKey: windowedSinkKey('windowed-counts') });
export const result = await env.submit({ autostop: true });
