/** The shapes the compiled addon exports (binding/*.cc). */

/** What one call fired, which records were late, and the record refused, if any; `null` when none of these. */
/** What a call fired: fields without content are left out (see `toResult` in the binding). */
export interface RawBatchResult {
  fired: number;
  /** With `fired` > 0. */
  keys?: Int32Array;
  starts?: Float64Array;
  ends?: Float64Array;
  values?: Float64Array;
  /** With `fired` > 0, for vector and top-k aggregates only. */
  vectorOffsets?: Uint32Array;
  vectorLengths?: Uint32Array;
  itemOffsets?: Uint32Array;
  itemCounts?: Uint32Array;
  vectors?: Float32Array;
  scores?: Float64Array;
  /** When records were late. */
  late?: Int32Array;
  /** Key ids whose last window was cleaned up: free to forget and reuse. Only when there are any. */
  releasedKeys?: Int32Array;
  /** -1, or the index of the refused record (the records after it were not processed). */
  errorIndex: number;
  /** With `errorIndex` >= 0. */
  error?: string;
}

export interface RawEngineConfig {
  assigner: 'tumbling' | 'sliding' | 'session';
  size?: number;
  slide?: number;
  offset?: number;
  gap?: number;
  allowedLateness?: number;
  aggregate: string;
  k?: number;
  query?: Float32Array;
}

export interface RawWindowEngine {
  setKeyNames(firstId: number, names: string[]): void;
  processBatch(
    n: number,
    keys: Int32Array,
    timestamps: Float64Array,
    values: Float64Array | null,
    vectors: Float32Array | null,
    dims: Int32Array | null,
  ): RawBatchResult | null;
  processWatermark(watermark: number): RawBatchResult | null;
  readonly windowCount: number;
  readonly keyCount: number;
  readonly watermark: number;
}

export interface RawSageFlowNative {
  NativeWindowEngine: new (config: RawEngineConfig) => RawWindowEngine;
  NativeSimilarityJoin: new (config: RawJoinConfig) => RawSimilarityJoin;
  napiVersion: number;
}

/** Pairs fired by a watermark, element ids no window holds any more, and late elements of a batch. */
export interface RawJoinResult {
  pairs: number;
  starts: Float64Array;
  ends: Float64Array;
  left: Uint32Array;
  right: Uint32Array;
  scores: Float64Array;
  released: Uint32Array;
  late: Int32Array;
}

export interface RawJoinConfig {
  size: number;
  slide: number;
  offset: number;
  threshold: number;
}

export interface RawSimilarityJoin {
  processBatch(side: number, n: number, firstId: number, timestamps: Float64Array, vectors: Float32Array, dimension: number): RawJoinResult | null;
  processWatermark(watermark: number): RawJoinResult | null;
  readonly windowCount: number;
}
