/**
 * The pipeline module of the SAGE remote runs: run.ts imports it (once per run, with a query string) and the
 * workers import it to capture the graph; nothing after submit() runs in a worker.
 */
import { fileURLToPath } from 'node:url';
import { RemoteEnvironment } from '@sage/kernel';
import { buildPipeline, settingsFromEnv } from './stages.js';

const settings = settingsFromEnv();
const env = new RemoteEnvironment('bench-distributed', {
  redis: settings.redis,
  prefix: settings.prefix,
  module: fileURLToPath(import.meta.url),
  handleSignals: false,
});
buildPipeline(env, settings);
// Throughput is timed from here (performance.now() of the submitting process) to submit()'s resolve.
export const submittedAt = performance.now();
export const result = await env.submit({ autostop: true });
export const finishedAt = performance.now();
