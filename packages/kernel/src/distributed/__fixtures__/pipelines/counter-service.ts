/** The counter service pipeline on workers: one instance of the service, in this process, numbers every call. */
import { fileURLToPath } from 'node:url';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { fixtureSettings } from './build-pipeline.js';
import { buildCounterPipeline } from './build-service-pipeline.js';

const { redis, prefix } = fixtureSettings();
export const env = new RemoteEnvironment('counter-service', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false });
buildCounterPipeline(env, { sinkKey: `${prefix}:sink:counter-service` });
export const result = await env.submit({ autostop: true });
