import { describe, expect, it } from 'vitest';
import { type CapturedJob, isCaptureComplete } from '../distributed/remote/capture.js';
import { RestartStrategy } from '../runtime/restart-strategy.js';
import { LocalEnvironment } from './local-environment.js';
import { RemoteEnvironment } from './remote-environment.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };
const SLOT = Symbol.for('sage.remote.capture');

/** Runs `body` with a capture hook set, as a worker does while importing a pipeline module. */
async function captured(body: () => Promise<unknown>): Promise<{ job: CapturedJob | undefined; error: unknown }> {
  let job: CapturedJob | undefined;
  const slots = globalThis as Record<symbol, unknown>;
  slots[SLOT] = (value: CapturedJob) => (job = value);
  try {
    await body();
    return { job, error: undefined };
  } catch (error) {
    return { job, error };
  } finally {
    slots[SLOT] = undefined;
  }
}

describe('RemoteEnvironment in a worker (capture hook set)', () => {
  it('hands over the compiled graph and settings, then throws the sentinel without touching Redis', async () => {
    const env = new RemoteEnvironment('captured', { ...quiet, batchSize: 64, redis: 'redis://127.0.0.1:1' });
    env.fromBatch([1, 2, 3], { name: 'numbers' }).map((n: number) => n + 1, { name: 'inc', parallelism: 3 }).sink(() => {}, { name: 'out' });
    const { job, error } = await captured(() => env.submit({ autostop: true }));
    expect(isCaptureComplete(error)).toBe(true);
    expect(job?.graph.vertices.map((vertex) => [vertex.transformation.options.name, vertex.parallelism])).toEqual([
      ['numbers', 1],
      ['inc', 3],
      ['out', 1],
    ]);
    expect(job).toMatchObject({ batchSize: 64, services: [] });
  });

  it('hands over the restart strategy set after the environment was made, for both environment classes', async () => {
    for (const env of [new RemoteEnvironment('restarting', quiet), new LocalEnvironment('restarting-local', quiet)]) {
      env.fromBatch([1]).sink(() => {});
      const strategy = RestartStrategy.fixedDelay({ attempts: 2, delayMs: 10 });
      env.setRestartStrategy(strategy);
      const { job, error } = await captured(() => env.submit({ autostop: true }));
      expect(isCaptureComplete(error)).toBe(true);
      expect(job?.restartStrategy).toBe(strategy);
    }
  });

  it('refuses a graph with a feedback loop, naming the operator', async () => {
    const env = new RemoteEnvironment('looped', quiet);
    const future = env.fromFuture<number>('again');
    const next = env.fromBatch([1]).connect(future).map((n: number) => n + 1, { name: 'step' });
    next.filter((n: number) => n < 3).fillFuture(future);
    const { job, error } = await captured(() => env.submit());
    expect(job).toBeUndefined();
    expect((error as Error).message).toMatch(/remote execution \(RemoteEnvironment, sage run --remote\) does not run feedback loops yet \(".*" is on one\)/);
  });
});
