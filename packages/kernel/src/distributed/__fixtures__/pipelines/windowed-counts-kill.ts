/**
 * The event-time pipeline with more events, for the test that kills the worker owning a window partition; its
 * totals are aggregated incrementally, so the window state that moves is the specialized operator's.
 */
import { fileURLToPath } from 'node:url';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { buildWindowedPipeline, KILL_EVENT_COUNT, KILL_EVENT_RATE, windowedSinkKey } from './build-windowed-pipeline.js';
import { fixtureSettings } from './build-pipeline.js';

const { redis, prefix } = fixtureSettings();
const env = new RemoteEnvironment('windowed-counts-kill', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false });
buildWindowedPipeline(env, { sinkKey: windowedSinkKey('windowed-counts-kill'), events: KILL_EVENT_COUNT, rate: KILL_EVENT_RATE, parallelism: 3, incremental: true });
export const result = await env.submit({ autostop: true });
export const jobId = env.jobId;
