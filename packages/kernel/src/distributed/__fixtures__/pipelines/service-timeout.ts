/** A service call that times out on a worker, uncaught: the job must fail as a local one does. */
import { fileURLToPath } from 'node:url';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { fixtureSettings } from './build-pipeline.js';
import { buildTimeoutPipeline } from './build-service-pipeline.js';

const { redis, prefix } = fixtureSettings();
export const env = new RemoteEnvironment('service-timeout', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false });
buildTimeoutPipeline(env, { sinkKey: `${prefix}:sink:service-timeout` });
export const result = await env.submit({ autostop: true }).then(
  (value) => ({ value }),
  (error: unknown) => ({ error }),
);
