import { callAddon, invalid } from './errors.js';
import type { RawJoinResult, RawSimilarityJoin } from './native-types.js';

export interface SimilarityJoinConfig {
  /** Event-time window size in milliseconds. */
  size: number;
  /** Sliding windows: how often a window starts; default `size` (tumbling). */
  slide?: number;
  offset?: number;
  /** Pairs with cosine similarity at least this (between -1 and 1) are emitted. */
  threshold: number;
}

/**
 * The windowed similarity join in C++: elements of two sides (0 = left, 1 = right) with caller-assigned
 * consecutive ids; when a window fires, every (left, right) pair of it whose cosine similarity is at least the
 * threshold comes back as typed arrays. One call per batch or watermark.
 */
export class SimilarityJoin {
  /** @internal use `loadSageFlowNative().createSimilarityJoin(config)` */
  constructor(private readonly raw: RawSimilarityJoin) {}

  get windowCount(): number {
    return this.raw.windowCount;
  }

  /**
   * `count` elements of `side` with ids `firstId ..`, integer timestamps and `count * dimension` floats.
   * Returns the indices of late elements and the ids released with them, or `null`.
   */
  processBatch(side: 0 | 1, count: number, firstId: number, timestamps: Float64Array, vectors: Float32Array, dimension: number): RawJoinResult | null {
    if (side !== 0 && side !== 1) throw invalid(`processBatch: side must be 0 or 1, got ${String(side)}`);
    return callAddon(() => this.raw.processBatch(side, count, firstId, timestamps, vectors, dimension));
  }

  /** Fires every window whose `maxTimestamp` is at or before `watermark`: its pairs and the ids it released. */
  processWatermark(watermark: number): RawJoinResult | null {
    if (typeof watermark !== 'number' || Number.isNaN(watermark)) throw invalid(`processWatermark: the watermark must be a number, got ${String(watermark)}`);
    return callAddon(() => this.raw.processWatermark(watermark));
  }
}

/** Checks a configuration; the engine refuses what slips through with the same error. */
export function toJoinConfig(config: SimilarityJoinConfig): { size: number; slide: number; offset: number; threshold: number } {
  const where = 'createSimilarityJoin';
  const size = config?.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) throw invalid(`${where}: size must be a positive integer, got ${String(size)}`);
  const slide = config.slide ?? size;
  if (typeof slide !== 'number' || !Number.isSafeInteger(slide) || slide <= 0 || slide > size) {
    throw invalid(`${where}: slide must be a positive integer not larger than size (${size}), got ${String(slide)}`);
  }
  const offset = config.offset ?? 0;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || Math.abs(offset) >= slide) throw invalid(`${where}: offset must satisfy |offset| < ${slide}, got ${String(offset)}`);
  const { threshold } = config;
  if (typeof threshold !== 'number' || !(threshold >= -1 && threshold <= 1)) throw invalid(`${where}: threshold must be a number between -1 and 1, got ${String(threshold)}`);
  return { size, slide, offset, threshold };
}
