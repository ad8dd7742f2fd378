import type { SimilarityJoinResult } from '@sage/sage-flow-native';
import { TimeWindow } from './window.js';

/** What a similarity join engine returns: the C++ engine's result shape (`@sage/sage-flow-native`). */
export type { SimilarityJoinResult } from '@sage/sage-flow-native';

/** The engine interface both the C++ join and `TypeScriptSimilarityJoin` implement. */
export interface SimilarityJoinEngine {
  processBatch(side: 0 | 1, count: number, firstId: number, timestamps: Float64Array, vectors: Float32Array, dimension: number): SimilarityJoinResult | null;
  processWatermark(watermark: number): SimilarityJoinResult | null;
  readonly windowCount: number;
}

interface Member {
  id: number;
  timestamp: number;
  norm: number;
  vector: Float32Array;
}

/**
 * The similarity join in TypeScript, for machines without the addon: the same windows, scores (float64
 * cosine), pair order and released ids as the C++ engine.
 */
export class TypeScriptSimilarityJoin implements SimilarityJoinEngine {
  private readonly windows = new Map<number, [Member[], Member[]]>();
  private watermark = Number.MIN_SAFE_INTEGER;

  constructor(private readonly config: { size: number; slide: number; offset: number; threshold: number }) {}

  get windowCount(): number {
    return this.windows.size;
  }

  processBatch(side: 0 | 1, count: number, firstId: number, timestamps: Float64Array, vectors: Float32Array, dimension: number): SimilarityJoinResult | null {
    const { size, slide, offset } = this.config;
    const late: number[] = [];
    const released: number[] = [];
    for (let i = 0; i < count; i++) {
      const timestamp = timestamps[i];
      const vector = vectors.slice(i * dimension, (i + 1) * dimension);
      let norm = 0;
      for (let k = 0; k < dimension; k++) norm += vector[k] * vector[k];
      const member = { id: firstId + i, timestamp, norm: Math.sqrt(norm), vector };
      let added = false;
      for (let start = TimeWindow.getWindowStartWithOffset(timestamp, offset, slide); start > timestamp - size; start -= slide) {
        if (start + size - 1 <= this.watermark) continue;
        let window = this.windows.get(start);
        if (window === undefined) this.windows.set(start, (window = [[], []]));
        window[side].push(member);
        added = true;
      }
      if (!added) {
        late.push(i);
        released.push(member.id);
      }
    }
    if (late.length === 0) return null;
    return result([], released, late);
  }

  processWatermark(watermark: number): SimilarityJoinResult | null {
    if (watermark <= this.watermark) return null;
    this.watermark = watermark;
    const { size, slide, offset, threshold } = this.config;
    const pairs: Array<{ start: number; left: Member; right: Member; score: number }> = [];
    const released: number[] = [];
    for (const start of [...this.windows.keys()].sort((a, b) => a - b)) {
      if (start + size - 1 > watermark) break;
      const [lefts, rights] = this.windows.get(start)!;
      const fired: typeof pairs = [];
      for (const left of lefts) {
        for (const right of rights) {
          let dot = 0;
          for (let k = 0; k < left.vector.length; k++) dot += left.vector[k] * right.vector[k];
          const lengths = left.norm * right.norm;
          const score = lengths === 0 ? 0 : dot / lengths;
          if (score >= threshold) fired.push({ start, left, right, score });
        }
      }
      fired.sort(
        (x, y) =>
          y.score - x.score ||
          x.left.timestamp - y.left.timestamp ||
          x.right.timestamp - y.right.timestamp ||
          x.left.id - y.left.id ||
          x.right.id - y.right.id,
      );
      pairs.push(...fired);
      for (const member of [...lefts, ...rights]) {
        if (TimeWindow.getWindowStartWithOffset(member.timestamp, offset, slide) === start) released.push(member.id);
      }
      this.windows.delete(start);
    }
    if (pairs.length === 0 && released.length === 0) return null;
    return result(pairs, released, [], size);
  }
}

function result(pairs: Array<{ start: number; left: Member; right: Member; score: number }>, released: number[], late: number[], size = 0): SimilarityJoinResult {
  return {
    pairs: pairs.length,
    starts: Float64Array.from(pairs, (pair) => pair.start),
    ends: Float64Array.from(pairs, (pair) => pair.start + size),
    left: Uint32Array.from(pairs, (pair) => pair.left.id),
    right: Uint32Array.from(pairs, (pair) => pair.right.id),
    scores: Float64Array.from(pairs, (pair) => pair.score),
    released: Uint32Array.from(released),
    late: Int32Array.from(late),
  };
}
