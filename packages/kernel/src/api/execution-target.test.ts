import { describe, expect, it } from 'vitest';
import { type CapturedJob, isCaptureComplete } from '../distributed/remote/capture.js';
import { RedisConnectionError } from '../distributed/redis-connection-error.js';
import { executionTarget, setExecutionTarget } from './execution-target.js';
import { LocalEnvironment } from './local-environment.js';
import { RemoteEnvironment } from './remote-environment.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };
const CAPTURE_SLOT = Symbol.for('sage.remote.capture');

function build(env: LocalEnvironment | RemoteEnvironment): void {
  env.fromBatch([1, 2, 3], { name: 'numbers' }).map((n: number) => n * 2, { name: 'double', parallelism: 2 }).sink(() => {}, { name: 'out' });
}

describe('LocalEnvironment under an execution target', () => {
  it('runs in this process when no target is set', async () => {
    expect(executionTarget()).toBeUndefined();
    const env = new LocalEnvironment('plain', quiet);
    build(env);
    const result = await env.submit({ autostop: true });
    expect(result.operators.double).toMatchObject({ recordsIn: 3, parallelism: 2 });
  });

  it('submits to Redis at the target URL when the target is remote (here unreachable: a connection error, no local run)', async () => {
    setExecutionTarget({ kind: 'remote', redis: 'redis://127.0.0.1:1', prefix: 'sage-test:target' });
    try {
      const env = new LocalEnvironment('remote-target', quiet);
      build(env);
      const error = await env.submit({ autostop: true }).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(RedisConnectionError);
      expect((error as Error).message).toMatch(/redis:\/\/127\.0\.0\.1:1/);
    } finally {
      setExecutionTarget(undefined);
    }
  });

  it('hands its graph to a worker\'s capture hook, as a RemoteEnvironment does', async () => {
    let job: CapturedJob | undefined;
    const slots = globalThis as Record<symbol, unknown>;
    slots[CAPTURE_SLOT] = (value: CapturedJob) => (job = value);
    try {
      const env = new LocalEnvironment('captured-local', { ...quiet, batchSize: 32 });
      build(env);
      const error = await env.submit({ autostop: true }).catch((failure: unknown) => failure);
      expect(isCaptureComplete(error)).toBe(true);
    } finally {
      slots[CAPTURE_SLOT] = undefined;
    }
    expect(job?.graph.vertices.map((vertex) => [vertex.transformation.options.name, vertex.parallelism])).toEqual([
      ['numbers', 1],
      ['double', 2],
      ['out', 1],
    ]);
    expect(job?.batchSize).toBe(32);
  });
});

describe('RemoteEnvironment under an execution target', () => {
  it('takes the target\'s settings where its own config leaves them out', async () => {
    setExecutionTarget({ kind: 'remote', redis: 'redis://127.0.0.1:1' });
    try {
      const fromTarget = new RemoteEnvironment('from-target', quiet);
      build(fromTarget);
      await expect(fromTarget.submit({ autostop: true })).rejects.toThrow(/redis:\/\/127\.0\.0\.1:1\b/);
      const own = new RemoteEnvironment('own-redis', { ...quiet, redis: 'redis://127.0.0.1:2' });
      build(own);
      await expect(own.submit({ autostop: true })).rejects.toThrow(/redis:\/\/127\.0\.0\.1:2\b/);
    } finally {
      setExecutionTarget(undefined);
    }
  });
});
