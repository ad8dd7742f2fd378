/** A pipeline module as users write one: build, then `await submit()` at top level (workers stop there). */
import { fileURLToPath } from 'node:url';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { buildPipeline, fixtureSettings } from './build-pipeline.js';

const { redis, prefix } = fixtureSettings();
const env = new RemoteEnvironment('wordcount-like', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false });
buildPipeline(env, { sinkKey: `${prefix}:sink:remote` });
export const result = await env.submit({ autostop: true });
