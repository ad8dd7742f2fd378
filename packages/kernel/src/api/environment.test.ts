import { PipelineError, ServiceNotFoundError, ServiceTimeoutError, ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { BaseService } from '../services/base-service.js';
import { collect } from '../testing/collect.js';
import { BatchFunction, END_OF_STREAM, MapFunction, SinkFunction, SourceFunction } from './functions.js';
import { LocalEnvironment } from './local-environment.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('sources', () => {
  it('fromSource runs a SourceFunction until it returns END_OF_STREAM', async () => {
    class Counter extends SourceFunction<number, { limit: number }> {
      private n = 0;
      execute() {
        return this.n < this.config.limit ? this.n++ : END_OF_STREAM;
      }
    }
    const env = new LocalEnvironment('source', quiet);
    const out = collect(env.fromSource(Counter, { limit: 5 }));
    await env.submit({ autostop: true });
    expect(out).toEqual([0, 1, 2, 3, 4]);
  });

  it('fromSource also takes a BatchFunction class, bounded as with fromBatch', async () => {
    class Letters extends BatchFunction<string, { letters: string }> {
      private at = 0;
      execute() {
        return this.config.letters[this.at++];
      }
    }
    const env = new LocalEnvironment('source-batch', quiet);
    const out = collect(env.fromSource(Letters, { letters: 'abc' }, { parallelism: 1 }).map((letter) => letter.toUpperCase()));
    const result = await env.submit({ autostop: true });
    expect(out).toEqual(['A', 'B', 'C']);
    expect(result.status).toBe('finished');
    expect(() => env.fromSource(MapFunction as never)).toThrow(/fromSource: MapFunction must extend SourceFunction/);
  });

  it('fromBatch runs a BatchFunction until it returns undefined, calling open and close', async () => {
    const calls: string[] = [];
    class Lines extends BatchFunction<string> {
      private lines = ['a', 'b', 'c'];
      open() {
        calls.push('open');
      }
      execute() {
        return this.lines.shift();
      }
      close() {
        calls.push('close');
      }
    }
    const env = new LocalEnvironment('batch', quiet);
    const out = collect(env.fromBatch(Lines));
    await env.submit({ autostop: true });
    expect(out).toEqual(['a', 'b', 'c']);
    expect(calls).toEqual(['open', 'close']);
  });

  it('fromBatch takes iterables, generators and async iterables', async () => {
    async function* slow() {
      for (let i = 0; i < 3; i++) {
        await tick();
        yield i;
      }
    }
    function* gen() {
      yield 'x';
      yield 'y';
    }
    const env = new LocalEnvironment('iterables', quiet);
    const fromSet = collect(env.fromBatch(new Set([1, 2, 3])));
    const fromGen = collect(env.fromBatch(gen()));
    const fromAsync = collect(env.fromBatch(slow()));
    const empty = collect(env.fromCollection([]));
    await env.submit({ autostop: true });
    expect(fromSet).toEqual([1, 2, 3]);
    expect(fromGen).toEqual(['x', 'y']);
    expect(fromAsync).toEqual([0, 1, 2]);
    expect(empty).toEqual([]);
  });

  it('a slow async source hands on records without waiting to fill a batch', async () => {
    let produced = 0;
    const seenWhenProduced: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const env = new LocalEnvironment('slow-source', { ...quiet, lingerMs: 1 });
    env
      .fromSource(async () => {
        if (produced === 3) {
          await gate; // holds the source: the 3 records already produced must still arrive
          return END_OF_STREAM;
        }
        return ++produced;
      })
      .sink((n: number) => {
        seenWhenProduced.push(n);
        if (n === 3) release();
      });
    await env.submit({ autostop: true });
    expect(seenWhenProduced).toEqual([1, 2, 3]);
  });

  it('rejects a generator with parallelism above 1 (it can be read only once)', () => {
    const env = new LocalEnvironment('gen-parallel', quiet);
    function* gen() {
      yield 1;
    }
    expect(() => env.fromBatch(gen(), { parallelism: 2 })).toThrow(ValidationError);
  });
});

describe('futures (feedback loops)', () => {
  it('loops records back until they leave the loop, then ends', async () => {
    const env = new LocalEnvironment('loop', quiet);
    const future = env.fromFuture<{ id: number; round: number }>('feedback');
    const start = env.fromBatch([0, 1, 2].map((id) => ({ id, round: 0 })));
    const stepped = start.connect(future).map((r: { id: number; round: number }) => ({ id: r.id, round: r.round + 1 }));
    stepped.filter((r) => r.round < 3 + r.id).fillFuture(future);
    const done = collect(stepped.filter((r) => r.round >= 3 + r.id));
    const result = await env.submit({ autostop: true });
    expect(result.status).toBe('finished');
    expect(done.sort((a, b) => a.id - b.id)).toEqual([
      { id: 0, round: 3 },
      { id: 1, round: 4 },
      { id: 2, round: 5 },
    ]);
  });

  it('terminates with a parallel loop carrying many records', async () => {
    const env = new LocalEnvironment('big-loop', { ...quiet, batchSize: 8, channelCapacity: 2 });
    const future = env.fromFuture<number>('again');
    const body = env
      .fromBatch(Array.from({ length: 300 }, (_, i) => i + 1))
      .connect(future)
      .map((n: number) => n - 1, { parallelism: 3 });
    body.filter((n) => n > 0, { parallelism: 2 }).fillFuture(future);
    const out = collect(body.filter((n) => n === 0));
    await env.submit({ autostop: true });
    expect(out).toHaveLength(300);
  });

  it('errors: filling a non-future, filling twice, submitting an unfilled one', async () => {
    const env = new LocalEnvironment('future-errors', quiet);
    const stream = env.fromBatch([1]);
    const notFuture = stream.map((n) => n);
    expect(() => stream.fillFuture(notFuture)).toThrow(PipelineError);
    expect(() => stream.fillFuture(notFuture)).toThrow(/not a future/);
    const future = env.fromFuture<number>('f');
    stream.fillFuture(future);
    expect(() => stream.fillFuture(future)).toThrow(/already filled/);

    const env2 = new LocalEnvironment('unfilled', quiet);
    const unfilled = env2.fromFuture<number>('never');
    collect(env2.fromBatch([1]).connect(unfilled).map((n: number) => n));
    await expect(env2.submit({ autostop: true })).rejects.toThrow(/"never" was never filled/);
  });
});

describe('services', () => {
  class Dictionary extends BaseService<{ words: Record<string, string> }> {
    static events: string[] = [];
    start() {
      Dictionary.events.push('start');
    }
    process(word: string) {
      return this.config.words[word] ?? '?';
    }
    async slow() {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return 'late';
    }
    stop() {
      Dictionary.events.push('stop');
    }
  }

  it('are called by functions (default method process), started before and stopped after the tasks', async () => {
    Dictionary.events = [];
    class Translate extends MapFunction<string, string> {
      open() {
        Dictionary.events.push('task-open');
      }
      async execute(word: string) {
        return this.callService<string>('dictionary', { args: [word] });
      }
      close() {
        Dictionary.events.push('task-close');
      }
    }
    const env = new LocalEnvironment('services', quiet);
    env.registerService('dictionary', Dictionary, { words: { hello: 'bonjour', cat: 'chat' } });
    const out = collect(env.fromBatch(['hello', 'cat', 'dog']).map(Translate));
    await env.submit({ autostop: true });
    expect(out).toEqual(['bonjour', 'chat', '?']);
    expect(Dictionary.events).toEqual(['start', 'task-open', 'task-close', 'stop']);
  });

  it('a call past its timeout fails with ServiceTimeoutError', async () => {
    class CallSlow extends MapFunction<string, string> {
      execute() {
        return this.callService<string>('dictionary', { method: 'slow', timeout: 20 });
      }
    }
    const env = new LocalEnvironment('timeout', quiet);
    env.registerService('dictionary', Dictionary, { words: {} });
    const dead = collect(env.fromBatch(['x']).map(CallSlow, {}, { onError: 'skip', name: 'caller' }).deadLetters());
    await env.submit({ autostop: true });
    expect(dead).toHaveLength(1);
    expect(dead[0]!.error.name).toBe('ServiceTimeoutError');
    const error = await (async () => {
      const env2 = new LocalEnvironment('timeout-2', quiet);
      env2.registerService('dictionary', Dictionary, { words: {} });
      collect(env2.fromBatch(['x']).map(CallSlow));
      return env2.submit({ autostop: true }).catch((e: unknown) => e);
    })();
    expect((error as Error & { cause: unknown }).cause).toBeInstanceOf(ServiceTimeoutError);
  });

  it('a service needs a non-empty name', () => {
    const env = new LocalEnvironment('unnamed-service', quiet);
    expect(() => env.registerService('', Dictionary, { words: {} })).toThrow(ValidationError);
    expect(() => env.registerService('', Dictionary, { words: {} })).toThrow('registerService: the service name must be a non-empty string');
  });

  it('an unknown service is a ServiceNotFoundError naming the registered ones', async () => {
    const env = new LocalEnvironment('no-service', quiet);
    env.registerService('dictionary', Dictionary, { words: {} });
    class Caller extends MapFunction {
      execute() {
        return this.callService('missing');
      }
    }
    collect(env.fromBatch([1]).map(Caller));
    const error = (await env.submit({ autostop: true }).catch((e: unknown) => e)) as Error & { cause: unknown };
    expect(error.cause).toBeInstanceOf(ServiceNotFoundError);
    expect((error.cause as Error).message).toContain('dictionary');
  });
});

describe('stop and close', () => {
  it('stop() ends an unbounded job gracefully: records in flight drain and the sink is closed', async () => {
    const written: number[] = [];
    let closedWith = -1;
    class Numbers extends SourceFunction<number> {
      private n = 0;
      async execute() {
        await tick();
        return this.n++;
      }
    }
    class Remember extends SinkFunction<number> {
      execute(n: number) {
        written.push(n);
      }
      close() {
        closedWith = written.length;
      }
    }
    const env = new LocalEnvironment('unbounded', quiet);
    env.fromSource(Numbers).map((n) => n).sink(Remember);
    const started = await env.submit();
    expect(started.status).toBe('running');
    while (written.length < 50) await tick();
    const result = await env.stop();
    expect(result?.status).toBe('stopped');
    expect(closedWith).toBe(written.length);
    expect(written).toEqual(written.map((_, i) => i));
  });

  it('closes a function whose open() failed part-way, and fails the job with the open error', async () => {
    const released: string[] = [];
    class Connect extends MapFunction<number, number> {
      private handle: string | undefined;
      open() {
        this.handle = 'connection';
        throw new Error('no such table');
      }
      execute(n: number) {
        return n;
      }
      close() {
        if (this.handle !== undefined) released.push(this.handle);
        throw new Error('close failed too');
      }
    }
    const env = new LocalEnvironment('open-fails', quiet);
    collect(env.fromBatch([1, 2]).map(Connect));
    const error = (await env.submit({ autostop: true }).catch((e: unknown) => e)) as Error & { cause: unknown };
    expect(String((error.cause as Error | undefined)?.message ?? error.message)).toContain('no such table');
    expect(released).toEqual(['connection']);
  });

  it('refuses a second submit while running and any submit after close', async () => {
    const env = new LocalEnvironment('twice', quiet);
    env.fromSource(async () => {
      await tick();
      return 1;
    }).sink(() => {});
    await env.submit();
    await expect(env.submit()).rejects.toThrow(/already running/);
    await env.close();
    await expect(env.submit()).rejects.toThrow(/closed/);
  });
});

describe('graph validation', () => {
  it('rejects bad call shapes and options with a clear ValidationError', () => {
    const env = new LocalEnvironment('shapes', quiet);
    const stream = env.fromBatch([1, 2]);
    expect(() => stream.map(42 as never)).toThrow(/expected a function or a MapFunction class, got number/);
    expect(() => stream.map((n: number) => n, { parallelism: 0 })).toThrow(/"parallelism" must be a positive integer/);
    expect(() => stream.map((n: number) => n, { onError: 'ignore' as never })).toThrow(/onError/);
    expect(() => stream.map((n: number) => n, { paralelism: 2 } as never)).toThrow(/unknown option "paralelism"/);
    class NotAMap extends SinkFunction {
      execute() {}
    }
    expect(() => stream.map(NotAMap as never)).toThrow(/NotAMap must extend MapFunction/);
    expect(() => (stream.map as (...args: unknown[]) => unknown)((n: number) => n, {}, {})).toThrow(/config object is only for function classes/);
    stream.map((n: number) => n, { name: 'twin' });
    expect(() => stream.map((n: number) => n, { name: 'twin' })).toThrow(/two operators are named "twin"/);
  });
});
