/**
 * The event-time test pipeline with its window on the native engine (sage_flow), on workers: the same click
 * events, tumbling 10 s windows per user counted by the C++ engine (parallelism 2), late events to a side
 * output. Counts and late event ids go to Redis lists (a count carries no key, so they are compared as a
 * multiset).
 */
import { fileURLToPath } from 'node:url';
import type { BaseEnvironment } from '../../../api/environment.js';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { Count } from '../../../windowing/built-in-aggregates.js';
import { type ClickEvent, RedisSink, windowedClicks, windowedSinkKey } from './build-windowed-pipeline.js';
import { fixtureSettings } from './build-pipeline.js';

export function buildNativeWindowedPipeline(env: BaseEnvironment, options: { sinkKey: string }): void {
  const { windows, late } = windowedClicks(env);
  const counts = windows.aggregate(Count, { name: 'counts', parallelism: 2, engine: 'native' });
  counts.sink(RedisSink<number>, { key: `${options.sinkKey}:counts`, value: (count) => String(count) }, { name: 'store-counts' });
  counts.getSideOutput(late).sink(RedisSink<ClickEvent>, { key: `${options.sinkKey}:late`, value: (event) => String(event.id) }, { name: 'store-late' });
}

const { redis, prefix } = fixtureSettings();
// Imported by the test (which submits) and by the workers (which build the same graph).
const env = new RemoteEnvironment('native-windowed-counts', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false });
buildNativeWindowedPipeline(env, { sinkKey: windowedSinkKey('native-windowed-counts') });
export const result = await env.submit({ autostop: true });
