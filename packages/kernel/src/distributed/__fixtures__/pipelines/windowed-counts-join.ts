/** The paced event-time pipeline, for the test that starts workers while its windows are open. */
import { fileURLToPath } from 'node:url';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { buildWindowedPipeline, KILL_EVENT_COUNT, KILL_EVENT_RATE, windowedSinkKey } from './build-windowed-pipeline.js';
import { fixtureSettings } from './build-pipeline.js';

const { redis, prefix } = fixtureSettings();
const env = new RemoteEnvironment('windowed-counts-join', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false });
buildWindowedPipeline(env, { sinkKey: windowedSinkKey('windowed-counts-join'), events: KILL_EVENT_COUNT, rate: KILL_EVENT_RATE, parallelism: 3 });
export const result = await env.submit({ autostop: true });
