import { describe, expect, it } from 'vitest';
import { isSageFlowError, isSageFlowNativeBuilt, loadSageFlowNative, SageFlowError } from './index.js';

const native = loadSageFlowNative();

describe('WindowEngine (the addon through its face)', () => {
  it('counts per key in tumbling windows, one call per batch, firing in timestamp then key-name order', () => {
    const engine = native.createWindowEngine({ assigner: { kind: 'tumbling', size: 10 }, aggregate: { kind: 'count' } });
    engine.setKeyNames(0, ['s:b', 's:a']);
    const none = engine.processBatch({ count: 3, keys: Int32Array.of(0, 1, 0), timestamps: Float64Array.of(1, 2, 12) });
    expect(none).toBeNull();
    const fired = engine.processWatermark(9)!;
    expect(fired.fired).toBe(2);
    expect([...fired.keys]).toEqual([1, 0]);
    expect([fired.value(0), fired.value(1)]).toEqual([1, 1]);
    expect([...fired.values!]).toEqual([1, 1]);
    expect([...fired.ends]).toEqual([10, 10]);
    expect(engine.windowCount).toBe(1);
  });

  it('returns vector means as new Float32Arrays and top-k items by cosine similarity', () => {
    const mean = native.createWindowEngine({ assigner: { kind: 'sliding', size: 4, slide: 2 }, aggregate: { kind: 'vectorMean' } });
    mean.processBatch({ count: 2, keys: Int32Array.of(0, 0), timestamps: Float64Array.of(2, 3), vectors: Float32Array.of(1, 2, 3, 4), dims: Int32Array.of(2, 2) });
    const means = mean.processWatermark(Number.MAX_SAFE_INTEGER)!;
    expect(means.fired).toBe(2);
    expect([...(means.value(0) as Float32Array)]).toEqual([2, 3]);
    expect(means.values).toBeUndefined();
    const top = native.createWindowEngine({ assigner: { kind: 'session', gap: 5 }, aggregate: { kind: 'topK', k: 1, query: Float32Array.of(0, 1) } });
    top.processBatch({ count: 2, keys: Int32Array.of(0, 0), timestamps: Float64Array.of(0, 3), vectors: Float32Array.of(1, 0, 0, 2), dims: Int32Array.of(2, 2) });
    const best = top.processWatermark(Number.MAX_SAFE_INTEGER)!;
    expect(best.value(0)).toEqual([{ score: 1, vector: Float32Array.of(0, 2) }]);
  });

  it('merges the vector sums of sessions a record joins, and refuses joining vectors of another dimension', () => {
    const sum = native.createWindowEngine({ assigner: { kind: 'session', gap: 5 }, aggregate: { kind: 'vectorSum' } });
    sum.processBatch({ count: 3, keys: Int32Array.of(0, 0, 0), timestamps: Float64Array.of(0, 10, 5), vectors: Float32Array.of(1, 2, 10, 20, 100, 200), dims: Int32Array.of(2, 2, 2) });
    const merged = sum.processWatermark(Number.MAX_SAFE_INTEGER)!;
    expect(merged.fired).toBe(1);
    expect([merged.starts[0], merged.ends[0]]).toEqual([0, 15]);
    expect([...(merged.value(0) as Float32Array)]).toEqual([111, 222]);
    const mixed = native.createWindowEngine({ assigner: { kind: 'session', gap: 5 }, aggregate: { kind: 'vectorSum' } });
    mixed.processBatch({ count: 2, keys: Int32Array.of(0, 0), timestamps: Float64Array.of(0, 10), vectors: Float32Array.of(1, 2, 3), dims: Int32Array.of(2, 1) });
    const refused = mixed.processBatch({ count: 1, keys: Int32Array.of(0), timestamps: Float64Array.of(5), vectors: Float32Array.of(1, 1), dims: Int32Array.of(2) })!;
    expect(refused.refused?.message).toMatch(/mixed dimension/);
    expect(mixed.windowCount).toBe(2);
  });

  it('gives empty arrays for what a call did not produce (the addon leaves them out)', () => {
    const engine = native.createWindowEngine({ assigner: { kind: 'tumbling', size: 10 }, aggregate: { kind: 'max' } });
    engine.setKeyNames(0, ['n:1', 'n:2']);
    engine.processBatch({ count: 2, keys: Int32Array.of(0, 1), timestamps: Float64Array.of(1, 15), values: Float64Array.of(4, 5) });
    const fired = engine.processWatermark(9)!;
    expect(fired.fired).toBe(1);
    expect(fired.value(0)).toBe(4);
    expect([...fired.releasedKeys]).toEqual([0]);
    expect(fired.late).toHaveLength(0);
    expect(fired.refused).toBeUndefined();
    const late = engine.processBatch({ count: 1, keys: Int32Array.of(1), timestamps: Float64Array.of(3), values: Float64Array.of(6) })!;
    expect(late.fired).toBe(0);
    expect([...late.late]).toEqual([0]);
    expect(late.keys).toHaveLength(0);
    expect(late.ends).toHaveLength(0);
    expect(late.releasedKeys).toHaveLength(0);
  });

  it('reports late records and refused records by index', () => {
    const engine = native.createWindowEngine({ assigner: { kind: 'tumbling', size: 10 }, aggregate: { kind: 'sum' } });
    engine.processWatermark(20);
    const result = engine.processBatch({ count: 3, keys: Int32Array.of(0, 0, 0), timestamps: Float64Array.of(5, 25, Number.NaN), values: Float64Array.of(1, 2, 3) })!;
    expect([...result.late]).toEqual([0]);
    expect(result.refused).toEqual({ index: 2, message: 'timestamp must be a finite integer number of milliseconds, got NaN' });
    expect(engine.windowCount).toBe(1);
  });

  it('refuses bad configurations and batches with a SageFlowError', () => {
    expect(() => native.createWindowEngine({ assigner: { kind: 'sliding', size: 5, slide: 10 }, aggregate: { kind: 'count' } })).toThrow(SageFlowError);
    expect(() => native.createWindowEngine({ assigner: { kind: 'tumbling', size: -5 }, aggregate: { kind: 'count' } })).toThrow(/size must be a positive integer, got -5/);
    const engine = native.createWindowEngine({ assigner: { kind: 'tumbling', size: 10 }, aggregate: { kind: 'sum' } });
    let caught: unknown;
    try {
      engine.processBatch({ count: 2, keys: Int32Array.of(0), timestamps: Float64Array.of(1, 2), values: Float64Array.of(1, 2) });
    } catch (error) {
      caught = error;
    }
    expect(isSageFlowError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/keys is shorter than the batch/);
  });

  it('is reported as built', () => {
    expect(isSageFlowNativeBuilt().built).toBe(true);
  });
});

describe('SimilarityJoin (the addon through its face)', () => {
  it('emits the pairs of a window above the threshold when it fires, and releases its elements', () => {
    const join = native.createSimilarityJoin({ size: 10, threshold: 0.9 });
    join.processBatch(0, 2, 0, Float64Array.of(1, 12), Float32Array.of(1, 0, 0, 1), 2);
    join.processBatch(1, 2, 2, Float64Array.of(3, 4), Float32Array.of(3, 0, 0, 3), 2);
    const fired = join.processWatermark(9)!;
    expect(fired.pairs).toBe(1);
    expect([fired.left[0], fired.right[0], fired.scores[0], fired.ends[0]]).toEqual([0, 2, 1, 10]);
    expect([...fired.released].sort()).toEqual([0, 2, 3]);
    expect(join.windowCount).toBe(1);
    const late = join.processBatch(1, 1, 4, Float64Array.of(5), Float32Array.of(1, 1), 2)!;
    expect([...late.late]).toEqual([0]);
  });

  it('refuses bad configurations and mixed dimensions with a SageFlowError', () => {
    expect(() => native.createSimilarityJoin({ size: 10, threshold: 2 })).toThrow(/threshold must be a number between -1 and 1, got 2/);
    expect(() => native.createSimilarityJoin({ size: 10, slide: 20, threshold: 0 })).toThrow(SageFlowError);
    const join = native.createSimilarityJoin({ size: 10, threshold: 0 });
    join.processBatch(0, 1, 0, Float64Array.of(1), Float32Array.of(1, 0), 2);
    expect(() => join.processBatch(1, 1, 1, Float64Array.of(1), Float32Array.of(1, 0, 0), 3)).toThrow(/vectors of mixed dimension: 3 after 2/);
  });
});
