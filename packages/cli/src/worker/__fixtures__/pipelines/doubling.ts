/** A small pipeline module for the `sage worker` test: 100 numbers doubled on the worker, counted by a sink. */
import { fileURLToPath } from 'node:url';
import { RemoteEnvironment } from '@sage/kernel';

const env = new RemoteEnvironment('cli-doubling', {
  redis: process.env.SAGE_TEST_REDIS,
  prefix: process.env.SAGE_TEST_PREFIX,
  module: fileURLToPath(import.meta.url),
  handleSignals: false,
});
env
  .fromBatch(Array.from({ length: 100 }, (_, index) => index), { name: 'numbers' })
  .map((value: number) => value * 2, { name: 'double', parallelism: 2 })
  .sink(() => {}, { name: 'discard' });
export const result = await env.submit({ autostop: true });
