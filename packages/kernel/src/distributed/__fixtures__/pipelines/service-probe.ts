/** The service-error probe on workers: each record's caller records the error its call raised. */
import { fileURLToPath } from 'node:url';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { fixtureSettings } from './build-pipeline.js';
import { buildProbePipeline } from './build-service-pipeline.js';

const { redis, prefix } = fixtureSettings();
export const env = new RemoteEnvironment('service-probe', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false });
buildProbePipeline(env, { sinkKey: `${prefix}:sink:service-probe` });
export const result = await env.submit({ autostop: true });
