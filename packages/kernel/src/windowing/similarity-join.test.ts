import { seededRandom, ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { collect } from '../testing/collect.js';
import { LocalEnvironment } from '../api/local-environment.js';
import { EventTimeSessionWindows, SlidingEventTimeWindows, TumblingEventTimeWindows, type WindowAssigner } from './assigners.js';
import { type SimilarPair, SimilarityJoinOperator } from './similarity-join.js';
import { WatermarkStrategy } from './watermarks.js';

interface Doc {
  id: string;
  ts: number;
  embedding: Float32Array;
}

const doc = (id: string, ts: number, ...values: number[]): Doc => ({ id, ts, embedding: Float32Array.from(values) });
const quiet = { logLevel: 'silent' as const, handleSignals: false };

describe.each(['typescript', 'native'] as const)('similarity join on the %s engine', (engine) => {
  function join(window: WindowAssigner<any> = TumblingEventTimeWindows.of(10), threshold = 0.9) {
    const out: Array<{ pair: string; score: number; timestamp: number; window: string }> = [];
    const operator = new SimilarityJoinOperator<Doc, Doc>({
      name: 'similar',
      window,
      threshold,
      vector: 'embedding',
      engine,
      output: {
        collect: (pair: SimilarPair<Doc, Doc>, timestamp) =>
          out.push({ pair: `${pair.left.id}~${pair.right.id}`, score: Number(pair.score.toFixed(4)), timestamp, window: `[${pair.window.start},${pair.window.end})` }),
      },
    });
    const feed = (side: 0 | 1, docs: Doc[]) =>
      operator.processBatch(
        side,
        docs,
        docs.map((d) => d.ts),
      );
    return { operator, out, feed };
  }

  it('emits the pairs of a window whose cosine similarity reaches the threshold, best first, when the window fires', () => {
    const { operator, out, feed } = join();
    feed(0, [doc('a1', 1, 1, 0), doc('a2', 2, 0, 1), doc('a3', 12, 1, 1)]);
    feed(1, [doc('b1', 3, 10, 1), doc('b2', 9, 1, 0), doc('b3', 4, 0, 5), doc('b4', 15, 1, 1)]);
    operator.processWatermark(8);
    expect(out).toEqual([]);
    operator.processWatermark(9);
    expect(out).toEqual([
      { pair: 'a1~b2', score: 1, timestamp: 9, window: '[0,10)' },
      { pair: 'a2~b3', score: 1, timestamp: 9, window: '[0,10)' },
      { pair: 'a1~b1', score: 0.995, timestamp: 9, window: '[0,10)' },
    ]);
    expect(operator.elementCount).toBe(2);
    operator.endOfInput();
    expect(out.at(-1)).toEqual({ pair: 'a3~b4', score: 1, timestamp: 19, window: '[10,20)' });
    expect(operator.elementCount).toBe(0);
  });

  it('sliding windows: a pair is emitted once per window the two share', () => {
    const { operator, out, feed } = join(SlidingEventTimeWindows.of(10, 5), 0.5);
    feed(0, [doc('a', 7, 1, 1)]);
    feed(1, [doc('b', 11, 1, 2)]);
    operator.endOfInput();
    expect(out.map((entry) => entry.window)).toEqual(['[5,15)']);
  });

  it('drops and counts late elements', () => {
    const { operator, out, feed } = join();
    operator.processWatermark(9);
    feed(1, [doc('b', 5, 1, 0), doc('c', 10, 1, 0)]);
    feed(0, [doc('a', 11, 1, 0)]);
    operator.endOfInput();
    expect(operator.numLateRecordsDropped).toBe(1);
    expect(out.map((entry) => entry.pair)).toEqual(['a~c']);
  });

  it('refuses bad input naming the operator and the value; what came before stays', () => {
    const { operator, out, feed } = join();
    feed(0, [doc('a', 1, 1, 0)]);
    expect(() => feed(1, [doc('b', 2, 1, 0), doc('c', 3, 1, 0, 0)])).toThrow('similarity join "similar": vectors of mixed dimension: 3 after 2');
    expect(() => feed(1, [doc('d', Number.NaN, 1, 0)])).toThrow(ValidationError);
    expect(() => feed(1, [doc('d', Number.NaN, 1, 0)])).toThrow('similarity join "similar": timestamp must be a finite integer number of milliseconds, got NaN');
    expect(() => feed(1, [{ id: 'e', ts: 4, embedding: [1, 0] as never }])).toThrow('similarity join "similar": field "embedding" must be a non-empty Float32Array, got [1,0]');
    operator.endOfInput();
    expect(out.map((entry) => entry.pair)).toEqual(['a~b']);
  });

  it('gives the same pairs for any permutation within the watermark bound, as the other engine does', () => {
    const next = seededRandom(11);
    const left = Array.from({ length: 150 }, (_, i) => doc(`l${i}`, Math.floor(next() * 20_000), next() - 0.5, next() - 0.5, next() - 0.5));
    const right = Array.from({ length: 150 }, (_, i) => doc(`r${i}`, Math.floor(next() * 20_000), next() - 0.5, next() - 0.5, next() - 0.5));
    const run = (order: 'sorted' | 'permuted', chosen: 'typescript' | 'native') => {
      const out: string[] = [];
      const operator = new SimilarityJoinOperator<Doc, Doc>({
        name: 'determinism',
        window: SlidingEventTimeWindows.of(3_000, 1_000),
        threshold: 0.8,
        vector: 'embedding',
        engine: chosen,
        output: { collect: (pair, timestamp) => out.push(`${timestamp}:${pair.left.id}~${pair.right.id}:${pair.score}`) },
      });
      const arrivals = [...left.map((d) => ({ d, side: 0 as const })), ...right.map((d) => ({ d, side: 1 as const }))]
        .map((entry) => ({ ...entry, at: entry.d.ts + (order === 'permuted' ? next() * 1_000 : 0) }))
        .sort((a, b) => a.at - b.at);
      let maxSeen = Number.MIN_SAFE_INTEGER;
      for (const { d, side } of arrivals) {
        operator.processBatch(side, [d], [d.ts]);
        maxSeen = Math.max(maxSeen, d.ts);
        operator.processWatermark(maxSeen - 1_000 - 1);
      }
      operator.endOfInput();
      return out;
    };
    const expected = run('sorted', engine);
    expect(expected.length).toBeGreaterThan(10);
    expect(run('permuted', engine)).toEqual(expected);
    expect(run('sorted', engine === 'native' ? 'typescript' : 'native')).toEqual(expected);
  });

  it('stream.similarityJoin(other, { window, threshold, vector }) on the local runtime', async () => {
    const env = new LocalEnvironment(`similarity-${engine}`, quiet);
    const byTs = WatermarkStrategy.forBoundedOutOfOrderness<Doc>(100).withTimestampAssigner((d) => d.ts);
    const questions = env.fromBatch([doc('q1', 10, 1, 0), doc('q2', 20, 0, 1), doc('q3', 1_500, 1, 1)]).assignTimestampsAndWatermarks(byTs);
    const answers = env.fromBatch([doc('x1', 15, 0.9, 0.1), doc('x2', 30, 0, -1), doc('x3', 1_600, 1, 0.9)]).assignTimestampsAndWatermarks(byTs);
    const pairs = collect(questions.similarityJoin(answers, { window: TumblingEventTimeWindows.of(1_000), threshold: 0.95, vector: 'embedding', engine }, { name: 'qa' }));
    const result = await env.submit({ autostop: true });
    expect(pairs.map((pair) => `${pair.left.id}~${pair.right.id}@${pair.window.start}`)).toEqual(['q1~x1@0', 'q3~x3@1000']);
    expect(result.operators.qa).toMatchObject({ recordsIn: 6, recordsOut: 2, lateRecordsDropped: 0 });
  });
});

describe('similarityJoin declarations', () => {
  it('refuses session windows, thresholds outside [-1, 1] and parallelism above 1', () => {
    const env = new LocalEnvironment('similarity-refuse', quiet);
    const a = env.fromBatch([doc('a', 1, 1)]);
    const b = env.fromBatch([doc('b', 1, 1)]);
    expect(() => a.similarityJoin(b, { window: EventTimeSessionWindows.withGap(5), threshold: 0.5 })).toThrow(/window must be TumblingEventTimeWindows or SlidingEventTimeWindows/);
    expect(() => a.similarityJoin(b, { window: TumblingEventTimeWindows.of(5), threshold: 1.5 })).toThrow(/threshold must be a cosine similarity between -1 and 1, got 1.5/);
    expect(() => a.similarityJoin(b, { window: TumblingEventTimeWindows.of(5), threshold: 0.5 }, { parallelism: 2 })).toThrow(/parallelism 1/);
  });
});
