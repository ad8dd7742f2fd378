import { seededRandom, ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { collect } from '../testing/collect.js';
import { CountEvictor } from '../windowing/evictors.js';
import { EventTimeSessionWindows, SlidingEventTimeWindows, TumblingEventTimeWindows, TumblingProcessingTimeWindows } from '../windowing/assigners.js';
import { Count, Max, Mean, Sum, VectorMean } from '../windowing/built-in-aggregates.js';
import { CountTrigger } from '../windowing/triggers.js';
import { WatermarkStrategy } from '../windowing/watermarks.js';
import type { WindowEngineChoice } from '../windowing/window-engine-choice.js';
import type { DataStream } from './data-stream.js';
import { LocalEnvironment } from './local-environment.js';
import { OutputTag } from './output-tag.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };

interface Bid {
  auction: number;
  price: number;
  ts: number;
  embedding?: Float32Array;
}

const byTs = WatermarkStrategy.forBoundedOutOfOrderness<Bid>(4_000).withTimestampAssigner((bid) => bid.ts);

function bids(count: number, seed: number): Bid[] {
  const random = seededRandom(seed);
  const out: Bid[] = [];
  for (let i = 0; i < count; i++) {
    // Disorder within the 4 s bound: each timestamp is at most 3 s behind the clock.
    const ts = i * 37 - Math.floor(random() * 3_000);
    out.push({ auction: Math.floor(random() * 7), price: Math.floor(random() * 100), ts, embedding: Float32Array.of(i % 3, 1) });
  }
  return out;
}

/** Runs one windowed job on an engine and returns its results with their timestamps, in emission order. */
async function run(engine: WindowEngineChoice, build: (env: LocalEnvironment) => unknown[]) {
  const env = new LocalEnvironment(`engine-${engine}`, quiet);
  const out = build(env);
  const result = await env.submit({ autostop: true });
  return { out, result };
}

describe('window operators on the native engine (engine option)', () => {
  const input = bids(2_000, 7);
  const jobs: Record<string, (env: LocalEnvironment, engine: WindowEngineChoice) => DataStream<any>> = {
    'q5-style hopping count per auction': (env: LocalEnvironment, engine: WindowEngineChoice) =>
      env.fromBatch(input).assignTimestampsAndWatermarks(byTs).keyBy((bid) => bid.auction).window(SlidingEventTimeWindows.of(10_000, 2_000)).aggregate(Count, { name: 'w', engine }),
    'q7-style tumbling max price': (env: LocalEnvironment, engine: WindowEngineChoice) =>
      env.fromBatch(input).assignTimestampsAndWatermarks(byTs).windowAll(TumblingEventTimeWindows.of(10_000)).aggregate(Max.of<Bid>('price'), { name: 'w', engine }),
    'q11-style session count per auction': (env: LocalEnvironment, engine: WindowEngineChoice) =>
      env.fromBatch(input).assignTimestampsAndWatermarks(byTs).keyBy((bid) => bid.auction).window(EventTimeSessionWindows.withGap(100)).aggregate(Count, { name: 'w', engine }),
    'mean and vector mean': (env: LocalEnvironment, engine: WindowEngineChoice) =>
      env
        .fromBatch(input)
        .assignTimestampsAndWatermarks(byTs)
        .keyBy((bid) => bid.auction % 2)
        .window(TumblingEventTimeWindows.of(5_000))
        .aggregate(VectorMean.of<Bid>('embedding'), { name: 'w', engine }),
  };

  it.each(Object.entries(jobs))('%s: the native engine gives the results of the TypeScript engine, in the same order', async (name, job) => {
    const typescript = await run('typescript', (env) => collect(job(env, 'typescript')));
    const native = await run('native', (env) => collect(job(env, 'native')));
    expect(native.out.length).toBeGreaterThan(0);
    expect(native.out).toEqual(typescript.out);
    expect(native.result.operators.w).toMatchObject({ recordsIn: input.length, recordsOut: typescript.out.length, windowEngine: 'native' });
    // TypeScript: tumbling and sliding aggregates on the aligned tables, session aggregates on the session lists.
    expect(typescript.result.operators.w!.windowEngine).toBe(name.includes('session') ? 'sessions' : 'aligned');
  });

  it('sends late records to the side output on both engines', async () => {
    const late = new OutputTag<Bid>('late');
    const outOfBound = [...bids(2_000, 3), { auction: 1, price: 5, ts: -50_000 }];
    const results = [];
    for (const engine of ['typescript', 'native'] as const) {
      const env = new LocalEnvironment(`late-${engine}`, quiet);
      const sums = env.fromBatch(outOfBound).assignTimestampsAndWatermarks(byTs).keyBy((bid) => bid.auction).window(TumblingEventTimeWindows.of(1_000)).sideOutputLateData(late).aggregate(Sum.of<Bid>('price'), { engine });
      const out = collect(sums);
      const side = collect(sums.getSideOutput(late));
      await env.submit({ autostop: true });
      results.push({ out, side });
    }
    expect(results[1].side).toEqual([{ auction: 1, price: 5, ts: -50_000 }]);
    expect(results[1]).toEqual(results[0]);
  });

  it("engine 'native' refuses what it cannot run, saying why; 'auto' falls back to TypeScript", () => {
    const env = new LocalEnvironment('refuse', quiet);
    const keyed = env.fromBatch(bids(10, 1)).assignTimestampsAndWatermarks(byTs).keyBy((bid) => bid.auction);
    const tumbling = keyed.window(TumblingEventTimeWindows.of(1_000));
    expect(() => tumbling.reduce((a) => a, { engine: 'native' })).toThrow(/engine 'native' cannot run this window: only built-in aggregates/);
    expect(() => tumbling.aggregate(Sum.of<Bid>((bid) => bid.price), { engine: 'native' })).toThrow(/Sum reads its value through a function/);
    expect(() => tumbling.evictor(CountEvictor.of(2)).aggregate(Count, { engine: 'native' })).toThrow(/evictors run in TypeScript only/);
    expect(() => tumbling.trigger(CountTrigger.of(2)).aggregate(Count, { engine: 'native' })).toThrow(/a custom trigger \(CountTrigger\)/);
    expect(() => keyed.window(TumblingProcessingTimeWindows.of(1_000)).aggregate(Count, { engine: 'native' })).toThrow(ValidationError);
    expect(() => tumbling.aggregate(Mean.of<Bid>('price'), { engine: 'fast' as never })).toThrow(/option "engine" must be 'auto', 'native' or 'typescript', got fast/);
    expect(() => tumbling.reduce((a) => a, { engine: 'auto' })).not.toThrow();
  });
});
