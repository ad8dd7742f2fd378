/** Like wordcount-like.ts, but the map throws on one record; the job must fail naming the operator. */
import { fileURLToPath } from 'node:url';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { buildPipeline, fixtureSettings } from './build-pipeline.js';

const { redis, prefix } = fixtureSettings();
const env = new RemoteEnvironment('failing-map', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false });
buildPipeline(env, { sinkKey: `${prefix}:sink:failing`, failOn: 4321 });
export const result = await env.submit({ autostop: true }).then(
  (value) => ({ value }),
  (error: unknown) => ({ error }),
);
export const jobId = env.jobId;
