/** Like doubling.ts, but each record takes 20 ms on the worker, so that a test can look at the job while it runs. */
import { fileURLToPath } from 'node:url';
import { RemoteEnvironment } from '@sage/kernel';

const env = new RemoteEnvironment('cli-slow-doubling', {
  redis: process.env.SAGE_TEST_REDIS,
  prefix: process.env.SAGE_TEST_PREFIX,
  module: fileURLToPath(import.meta.url),
  handleSignals: false,
  batchSize: 1,
});
env
  .fromBatch(Array.from({ length: 100 }, (_, index) => index), { name: 'numbers' })
  .map(async (value: number) => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return value * 2;
  }, { name: 'double' })
  .sink(() => {}, { name: 'discard' });
export const result = await env.submit({ autostop: true });
