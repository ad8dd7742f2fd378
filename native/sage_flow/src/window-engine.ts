import { callAddon, invalid } from './errors.js';
import type { RawBatchResult, RawEngineConfig, RawWindowEngine } from './native-types.js';

export type WindowAssignerConfig =
  | { kind: 'tumbling'; size: number; offset?: number }
  | { kind: 'sliding'; size: number; slide: number; offset?: number }
  | { kind: 'session'; gap: number };

export type ScalarAggregateKind = 'count' | 'sum' | 'min' | 'max' | 'mean';
export type VectorAggregateKind = 'vectorSum' | 'vectorMean';

export type WindowAggregateConfig = { kind: ScalarAggregateKind } | { kind: VectorAggregateKind } | { kind: 'topK'; k: number; query: Float32Array };

export interface WindowEngineConfig {
  assigner: WindowAssignerConfig;
  /** Event-time milliseconds after a window's end during which late records are still added. Default 0. */
  allowedLateness?: number;
  aggregate: WindowAggregateConfig;
}

/**
 * One batch of records as parallel typed arrays: `count` records with key ids (assigned by the caller),
 * integer millisecond timestamps, and a value each (scalar aggregates other than count) or a vector each
 * (`dims[i]` floats, back to back in `vectors`).
 */
export interface WindowBatch {
  count: number;
  keys: Int32Array;
  timestamps: Float64Array;
  values?: Float64Array;
  vectors?: Float32Array;
  dims?: Int32Array;
}

/** One top-k entry: an element's vector and its cosine similarity to the query. */
export interface TopKItem {
  score: number;
  vector: Float32Array;
}

export type WindowResultValue = number | Float32Array | TopKItem[];

/** What a call fired and which records were late; `refused` when a record was refused (the later ones were not processed). */
export interface WindowBatchResult {
  readonly fired: number;
  readonly keys: Int32Array;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  readonly late: Int32Array;
  /** Key ids whose last window was cleaned up: the caller may forget those keys and reuse the ids (naming them again). */
  readonly releasedKeys: Int32Array;
  readonly refused?: { index: number; message: string };
  /** Scalar aggregates' results, one per fired window (what `value(i)` returns, read without a call); undefined for vector aggregates. */
  readonly values: Float64Array | undefined;
  /** The aggregate's result of fired window `i`: a number, a new Float32Array, or the top-k items. */
  value(i: number): WindowResultValue;
}

// Stand-ins for the fields a raw result leaves out when they are empty (length 0, so nothing can change them).
const NO_KEYS = new Int32Array(0);
const NO_TIMES = new Float64Array(0);
const NO_INDICES = new Uint32Array(0);
const NO_FLOATS = new Float32Array(0);

const ASSIGNERS = new Set(['tumbling', 'sliding', 'session']);
const AGGREGATES = new Set(['count', 'sum', 'min', 'max', 'mean', 'vectorSum', 'vectorMean', 'topK']);

/** Whether the aggregate reads one vector per record (otherwise one number, or nothing for count). */
export function readsVectors(kind: WindowAggregateConfig['kind']): boolean {
  return kind === 'vectorSum' || kind === 'vectorMean' || kind === 'topK';
}

/**
 * Keyed event-time windows over one C++ engine: per key and window it keeps one accumulator, fires windows
 * when the watermark reaches their `maxTimestamp`, reports late records and cleans up at `maxTimestamp +
 * allowedLateness`. One call per batch, never per record.
 */
export class WindowEngine {
  readonly aggregate: WindowAggregateConfig['kind'];

  /** @internal use `loadSageFlowNative().createWindowEngine(config)` */
  constructor(
    private readonly raw: RawWindowEngine,
    readonly config: WindowEngineConfig,
  ) {
    this.aggregate = config.aggregate.kind;
  }

  /** Open windows over all keys. */
  get windowCount(): number {
    return this.raw.windowCount;
  }

  /** Keys with open windows. */
  get keyCount(): number {
    return this.raw.keyCount;
  }

  get watermark(): number {
    return this.raw.watermark;
  }

  /** Names key ids `firstId, firstId + 1, ...`: windows of one watermark fire in timestamp, then name, order. */
  setKeyNames(firstId: number, names: string[]): void {
    if (!Number.isInteger(firstId) || firstId < 0 || !Array.isArray(names)) throw invalid(`setKeyNames: expected a key id and an array of names, got ${String(firstId)}`);
    callAddon(() => this.raw.setKeyNames(firstId, names));
  }

  processBatch(batch: WindowBatch): WindowBatchResult | null {
    const { count } = batch;
    if (!Number.isInteger(count) || count < 0) throw invalid(`processBatch: count must be a non-negative integer, got ${String(count)}`);
    const raw = callAddon(() => this.raw.processBatch(count, batch.keys, batch.timestamps, batch.values ?? null, batch.vectors ?? null, batch.dims ?? null));
    return raw === null ? null : this.result(raw);
  }

  /** Fires every window whose `maxTimestamp` is at or before `watermark`, in timestamp, key name, window order. */
  processWatermark(watermark: number): WindowBatchResult | null {
    if (typeof watermark !== 'number' || Number.isNaN(watermark)) throw invalid(`processWatermark: the watermark must be a number, got ${String(watermark)}`);
    const raw = callAddon(() => this.raw.processWatermark(watermark));
    return raw === null ? null : this.result(raw);
  }

  private result(raw: RawBatchResult): WindowBatchResult {
    const kind = this.aggregate;
    const vectors = raw.vectors ?? NO_FLOATS;
    const vectorOffsets = raw.vectorOffsets ?? NO_INDICES;
    const vectorLengths = raw.vectorLengths ?? NO_INDICES;
    const value = (i: number): WindowResultValue => {
      if (kind === 'vectorSum' || kind === 'vectorMean') return vectors.slice(vectorOffsets[i], vectorOffsets[i] + vectorLengths[i]);
      if (kind !== 'topK') return raw.values![i];
      const items: TopKItem[] = [];
      const length = vectorLengths[i];
      for (let item = 0; item < raw.itemCounts![i]; item++) {
        const at = vectorOffsets[i] + item * length;
        items.push({ score: raw.scores![raw.itemOffsets![i] + item], vector: vectors.slice(at, at + length) });
      }
      return items;
    };
    return {
      fired: raw.fired,
      keys: raw.keys ?? NO_KEYS,
      starts: raw.starts ?? NO_TIMES,
      ends: raw.ends ?? NO_TIMES,
      late: raw.late ?? NO_KEYS,
      releasedKeys: raw.releasedKeys ?? NO_KEYS,
      refused: raw.errorIndex < 0 ? undefined : { index: raw.errorIndex, message: raw.error ?? '' },
      values: readsVectors(kind) ? undefined : (raw.values ?? NO_TIMES),
      value,
    };
  }
}

function integer(where: string, name: string, value: unknown, minimum: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    const what = minimum > 0 ? 'a positive integer' : minimum === 0 ? 'a non-negative integer' : 'an integer';
    throw invalid(`${where}: ${name} must be ${what}, got ${String(value)}`);
  }
  return value;
}

/** Checks a configuration and turns it into the addon's flat form. */
export function toRawConfig(config: WindowEngineConfig): RawEngineConfig {
  const where = 'createWindowEngine';
  if (config === null || typeof config !== 'object') throw invalid(`${where}: expected a configuration object`);
  const { assigner, aggregate } = config;
  if (!ASSIGNERS.has(assigner?.kind)) throw invalid(`${where}: assigner.kind must be 'tumbling', 'sliding' or 'session', got ${String(assigner?.kind)}`);
  if (!AGGREGATES.has(aggregate?.kind)) throw invalid(`${where}: unknown aggregate ${String(aggregate?.kind)}`);
  const raw: RawEngineConfig = {
    assigner: assigner.kind,
    aggregate: aggregate.kind,
    allowedLateness: integer(where, 'allowedLateness', config.allowedLateness ?? 0, 0),
  };
  if (assigner.kind === 'session') {
    raw.gap = integer(where, 'gap', assigner.gap, 1);
  } else {
    raw.size = integer(where, 'size', assigner.size, 1);
    raw.slide = assigner.kind === 'sliding' ? integer(where, 'slide', assigner.slide, 1) : raw.size;
    if (raw.slide > raw.size) throw invalid(`${where}: slide must not be larger than size (${raw.size}), got ${raw.slide}`);
    raw.offset = integer(where, 'offset', assigner.offset ?? 0, Number.MIN_SAFE_INTEGER);
    if (Math.abs(raw.offset) >= raw.slide) throw invalid(`${where}: offset must satisfy |offset| < ${raw.slide}, got ${raw.offset}`);
  }
  if (aggregate.kind === 'topK') {
    raw.k = integer(where, 'k', aggregate.k, 1);
    if (!(aggregate.query instanceof Float32Array) || aggregate.query.length === 0) throw invalid(`${where}: topK needs a non-empty Float32Array query`);
    raw.query = aggregate.query;
  }
  return raw;
}
