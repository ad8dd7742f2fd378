/** A pipeline module outside the workers' code directory (pipelines/): workers must refuse it. */
import { fileURLToPath } from 'node:url';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { buildPipeline, fixtureSettings } from '../pipelines/build-pipeline.js';

const { redis, prefix } = fixtureSettings();
const env = new RemoteEnvironment('outside', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false });
buildPipeline(env, { sinkKey: `${prefix}:sink:outside` });
export const result = await env.submit({ autostop: true }).then(
  (value) => ({ value }),
  (error: unknown) => ({ error }),
);
export const jobId = env.jobId;
