import { ValidationError } from '@sage/common';
import { SlidingEventTimeWindows, TumblingEventTimeWindows, type WindowAssigner } from './assigners.js';
import { loadSageFlow } from './sage-flow.js';
import { type SimilarityJoinEngine, TypeScriptSimilarityJoin } from './similarity-join-engine.js';
import { describeValue, requireOperatorTimestamp, requireWatermark } from './validation.js';
import { MAX_WATERMARK } from './window.js';
import type { WindowEngineChoice } from './window-engine-choice.js';
import type { WindowOperatorOutput } from './window-operator.js';

/** One result of a similarity join: a left and a right element of one window and their cosine similarity. */
export interface SimilarPair<L, R> {
  left: L;
  right: R;
  score: number;
  /** The window both were in, `[start, end)`; the result's timestamp is `end - 1`. */
  window: { start: number; end: number };
}

export interface SimilarityJoinSpec {
  /** `TumblingEventTimeWindows.of(size)` or `SlidingEventTimeWindows.of(size, slide)`. */
  window: WindowAssigner<any>;
  /** Pairs whose cosine similarity is at least this (between -1 and 1). */
  threshold: number;
  /** The field holding each element's `Float32Array` embedding on both streams; without it the element is the vector. */
  vector?: string;
  /** `auto` (default): C++ when the addon loads, else TypeScript; `native`: C++ or a `ValidationError`. */
  engine?: WindowEngineChoice;
}

export interface SimilarityJoinOptions<L, R> extends SimilarityJoinSpec {
  name: string;
  output: WindowOperatorOutput<SimilarPair<L, R>>;
}

const CHOICES = new Set(['auto', 'native', 'typescript']);

/** Checks a similarity join's spec; returns the window configuration. */
export function checkSimilarityJoin(where: string, spec: SimilarityJoinSpec): { size: number; slide: number; offset: number; threshold: number } {
  if (spec === null || typeof spec !== 'object') throw new ValidationError(`${where}: expected options { window, threshold, vector? }`);
  const { window, threshold } = spec;
  let config: { size: number; slide: number; offset: number };
  if (window instanceof TumblingEventTimeWindows) config = { size: window.size, slide: window.size, offset: window.offset };
  else if (window instanceof SlidingEventTimeWindows) config = { size: window.size, slide: window.slide, offset: window.offset };
  else throw new ValidationError(`${where}: window must be TumblingEventTimeWindows or SlidingEventTimeWindows, got ${describeValue((window as { name?: string })?.name ?? window)}`);
  if (typeof threshold !== 'number' || !(threshold >= -1 && threshold <= 1)) {
    throw new ValidationError(`${where}: threshold must be a cosine similarity between -1 and 1, got ${describeValue(threshold)}`, { details: { operator: where, threshold: describeValue(threshold) } });
  }
  if (spec.vector !== undefined && (typeof spec.vector !== 'string' || spec.vector.length === 0)) {
    throw new ValidationError(`${where}: vector must be a field name, got ${describeValue(spec.vector)}`);
  }
  if (spec.engine !== undefined && !CHOICES.has(spec.engine)) {
    throw new ValidationError(`${where}: engine must be 'auto', 'native' or 'typescript', got ${describeValue(spec.engine)}`);
  }
  if (spec.engine === 'native') {
    const loaded = loadSageFlow();
    if (!('native' in loaded)) throw new ValidationError(`${where}: engine 'native' cannot run the similarity join: ${loaded.reason}`);
  }
  return { ...config, threshold };
}

/**
 * A windowed similarity join of two streams of embeddings (left = input 0, right = input 1): when an
 * event-time window fires, every (left, right) pair of it with cosine similarity at least `threshold`, best
 * first. A batch crosses into the engine in one call; elements are kept here by id until their last window
 * fired. Late elements (in no open window) are dropped and counted.
 */
export class SimilarityJoinOperator<L, R> {
  readonly name: string;
  private readonly engine: SimilarityJoinEngine;
  private readonly field: string | undefined;
  private readonly elements = new Map<number, unknown>();
  private nextId = 0;
  private dimension = 0;
  private watermark = Number.MIN_SAFE_INTEGER;
  private lateRecordsDropped = 0;
  private timestamps = new Float64Array(256);
  private vectors = new Float32Array(1024);

  constructor(private readonly options: SimilarityJoinOptions<L, R>) {
    this.name = options.name;
    const config = checkSimilarityJoin(`similarity join "${this.name}"`, options);
    this.field = options.vector;
    const loaded = options.engine === 'typescript' ? undefined : loadSageFlow();
    this.engine = loaded !== undefined && 'native' in loaded ? loaded.native.createSimilarityJoin(config) : new TypeScriptSimilarityJoin(config);
  }

  get numLateRecordsDropped(): number {
    return this.lateRecordsDropped;
  }

  /** Elements held for open windows. */
  get elementCount(): number {
    return this.elements.size;
  }

  /** Elements of one side; a refused element throws after the ones before it were processed. */
  processBatch(side: 0 | 1, records: readonly unknown[], timestamps: ArrayLike<number | undefined> | undefined): void {
    const n = records.length;
    if (this.timestamps.length < n) this.timestamps = new Float64Array(Math.max(n, this.timestamps.length * 2));
    const firstId = this.nextId;
    // Why record `count` was refused. No closure in the loop: a closure over the loop's variables would make
    // V8 allocate a context for every record.
    let refused: 'timestamp' | 'vector' | 'dimension' | undefined;
    let count = 0;
    for (; count < n; count++) {
      const record = records[count];
      const timestamp = timestamps?.[count];
      if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp)) {
        refused = 'timestamp';
        break;
      }
      const vector = this.field === undefined ? record : (record as Record<string, unknown> | null)?.[this.field];
      if (!(vector instanceof Float32Array) || vector.length === 0) {
        refused = 'vector';
        break;
      }
      if (this.dimension === 0) this.dimension = vector.length;
      if (vector.length !== this.dimension) {
        refused = 'dimension';
        break;
      }
      const needed = (count + 1) * this.dimension;
      if (needed > this.vectors.length) {
        const grown = new Float32Array(Math.max(needed, this.vectors.length * 2));
        grown.set(this.vectors);
        this.vectors = grown;
      }
      this.vectors.set(vector, count * this.dimension);
      this.timestamps[count] = timestamp;
      this.elements.set(firstId + count, record);
    }
    this.nextId += count;
    if (count > 0) {
      const result = this.engine.processBatch(side, count, firstId, this.timestamps, this.vectors, this.dimension);
      if (result !== null) {
        this.lateRecordsDropped += result.late.length;
        for (const id of result.released) this.elements.delete(id);
      }
    }
    if (refused !== undefined) this.refuseRecord(refused, records[count], timestamps?.[count]);
  }

  private refuseRecord(reason: 'timestamp' | 'vector' | 'dimension', record: unknown, timestamp: number | undefined): never {
    if (reason === 'timestamp') return requireOperatorTimestamp('similarity join', this.name, timestamp, record) as never;
    const vector = this.field === undefined ? record : (record as Record<string, unknown> | null)?.[this.field];
    if (reason === 'vector') {
      return this.refuse(`${this.field === undefined ? 'element' : `field "${this.field}"`} must be a non-empty Float32Array, got ${describeValue(vector)}`, vector);
    }
    return this.refuse(`vectors of mixed dimension: ${(vector as Float32Array).length} after ${this.dimension}`, vector);
  }

  processWatermark(watermark: number): void {
    requireWatermark(`similarity join "${this.name}"`, watermark);
    if (watermark <= this.watermark) return;
    this.watermark = Math.min(watermark, MAX_WATERMARK);
    const result = this.engine.processWatermark(this.watermark);
    if (result !== null) {
      const { output } = this.options;
      for (let i = 0; i < result.pairs; i++) {
        const pair: SimilarPair<L, R> = {
          left: this.elements.get(result.left[i]) as L,
          right: this.elements.get(result.right[i]) as R,
          score: result.scores[i],
          window: { start: result.starts[i], end: result.ends[i] },
        };
        output.collect(pair, result.ends[i] - 1);
      }
      for (const id of result.released) this.elements.delete(id);
    }
    this.options.output.emitWatermark?.(this.watermark);
  }

  endOfInput(): void {
    this.processWatermark(MAX_WATERMARK);
  }

  private refuse(message: string, value: unknown): never {
    throw new ValidationError(`similarity join "${this.name}": ${message}`, { details: { operator: this.name, value: describeValue(value) } });
  }
}
