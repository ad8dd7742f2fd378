import { canonicalKey, OperatorError, ValidationError } from '@sage/common';
import type { WindowBatchResult, WindowEngine } from '@sage/sage-flow-native';
import { describeValue, requireNonNegativeMillis, requireOperatorTimestamp, requireWatermark, windowFunctionFailure } from './validation.js';
import type { Clock } from '../runtime/clock.js';
import { MAX_WATERMARK, MIN_WATERMARK, TimeWindow } from './window.js';
import type { NativeWindowPlan } from './window-engine-choice.js';
import type { WindowOperatorOutput } from './window-operator.js';

export interface NativeWindowOperatorOptions<In, Out, Key> {
  name: string;
  keySelector?: (record: In) => Key;
  allowedLateness?: number;
  sideOutputLateData?: (record: In, timestamp: number) => void;
  output: WindowOperatorOutput<Out>;
  /** Processing time for a process window function's context; default `Date.now`. */
  clock?: Clock;
}

/** How an object key is held: its canonical form (the map key) and the first value seen with it. */
interface ObjectKeyEntry {
  object: string;
  key: unknown;
}

function isObjectKeyEntry(entry: unknown): entry is ObjectKeyEntry {
  return typeof entry === 'object' && entry !== null && 'object' in entry;
}

/**
 * A window operator on the C++ engine of `@sage/sage-flow-native`, with the results of `WindowOperator`: a
 * batch becomes parallel typed arrays in one loop (keys interned to ids, timestamps, the aggregated field)
 * and crosses into C++ in one call; what fires comes back the same way.
 */
export class NativeWindowOperator<In, Out, Key = unknown> {
  readonly name: string;
  private readonly engine: WindowEngine;
  private readonly field: PropertyKey | undefined;
  private readonly reads: 'none' | 'number' | 'vector';
  private readonly keyIds = new Map<unknown, number>();
  /** Object keys by canonical form: equal contents are one key, as in the TypeScript core. */
  private readonly objectKeyIds = new Map<string, number>();
  /** The map entry of each live key id (`keyIds` key, or an object key's canonical form and first value), to forget it when the engine releases it. */
  private readonly entryOfId: unknown[] = [];
  /** Ids of keys whose windows are all gone, reused before new ones so the id space stays as small as the live keys. */
  private readonly freeKeyIds: number[] = [];
  private nextKeyId = 0;
  /**
   * Key ids the engine released at the last watermark. They are forgotten before the next batch or watermark,
   * not at once: the results of the firing are on their way downstream first (forgetting ~1,200 auctions of a
   * Nexmark q5 slide took 0.35 ms).
   */
  private released: Int32Array | undefined;
  private watermark = MIN_WATERMARK;
  private lateRecordsDropped = 0;
  private keys = new Int32Array(256);
  private timestamps = new Float64Array(256);
  private values = new Float64Array(256);
  private dims = new Int32Array(256);
  private vectors = new Float32Array(1024);
  /** Scratch: the fired windows' `maxTimestamp`s, for `collectAll`. */
  private maxTimestamps = new Float64Array(256);

  constructor(
    private readonly options: NativeWindowOperatorOptions<In, Out, Key>,
    private readonly plan: NativeWindowPlan,
  ) {
    this.name = options.name;
    const allowedLateness = requireNonNegativeMillis(`window operator "${this.name}"`, 'allowedLateness', options.allowedLateness ?? 0);
    this.engine = this.refusing(() => plan.native.createWindowEngine({ assigner: plan.assigner, aggregate: plan.aggregate, allowedLateness }));
    this.field = plan.field;
    const kind = plan.aggregate.kind;
    this.reads = kind === 'count' ? 'none' : kind === 'vectorSum' || kind === 'vectorMean' || kind === 'topK' ? 'vector' : 'number';
  }

  get currentWatermark(): number {
    return this.watermark;
  }

  get numLateRecordsDropped(): number {
    return this.lateRecordsDropped;
  }

  get windowCount(): number {
    return this.engine.windowCount;
  }

  processElement(record: In, timestamp?: number): void {
    this.processBatch([record], [timestamp]);
  }

  /**
   * Processes `records` in order. A record that is refused (bad timestamp or value, a vector of another
   * dimension) throws after the records before it were processed, as in the TypeScript core.
   */
  processBatch(records: readonly In[], timestamps: ArrayLike<number | undefined> | undefined): void {
    this.forgetReleased();
    const n = records.length;
    this.reserve(n);
    const { keys, timestamps: times, values, dims } = this;
    const keySelector = this.options.keySelector;
    const field = this.field;
    const reads = this.reads;
    let newNames: string[] | undefined;
    let firstNewId = 0;
    // Why record `count` was refused. No closure in the loop: a closure over the loop's variables would make
    // V8 allocate a context for every record.
    let refused: 'timestamp' | 'value' | 'vector' | undefined;
    let count = 0;
    let vectorLength = 0;
    let onlyId: number | undefined;
    for (; count < n; count++) {
      const record = records[count];
      const timestamp = timestamps?.[count];
      if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp)) {
        refused = 'timestamp';
        break;
      }
      times[count] = timestamp;
      // windowAll: every record has the one key, looked up once per batch (ids change only on watermarks).
      let id = onlyId;
      if (id === undefined) {
        const key = keySelector === undefined ? undefined : this.select(record, keySelector);
        const isObject = typeof key === 'object' && key !== null;
        const entry = isObject ? canonicalKey(key) : Object.is(key, -0) ? 0 : key;
        id = isObject ? this.objectKeyIds.get(entry as string) : this.keyIds.get(entry);
        if (id === undefined) {
          id = this.freeKeyIds.pop();
          if (id === undefined) {
            id = this.nextKeyId++;
            if (newNames === undefined) {
              newNames = [];
              firstNewId = id;
            }
            newNames.push(canonicalKey(key));
          } else {
            this.engine.setKeyNames(id, [canonicalKey(key)]);
          }
          if (isObject) this.objectKeyIds.set(entry as string, id);
          else this.keyIds.set(entry, id);
          this.entryOfId[id] = isObject ? ({ object: entry as string, key } satisfies ObjectKeyEntry) : entry;
        }
        if (keySelector === undefined) onlyId = id;
      }
      keys[count] = id;
      if (reads === 'none') continue;
      const hasField = field === undefined || (record !== null && typeof record === 'object');
      const value: unknown = field === undefined ? record : hasField ? (record as Record<PropertyKey, unknown>)[field] : undefined;
      if (reads === 'number') {
        // Anything but a number becomes NaN: the engine refuses it only when it is added to a window, so a
        // late record with a bad value goes to the side output, as in the TypeScript core.
        values[count] = typeof value === 'number' && hasField ? value : Number.NaN;
        continue;
      }
      if (!hasField) {
        refused = 'value';
        break;
      }
      if (!(value instanceof Float32Array)) {
        refused = 'vector';
        break;
      }
      if (vectorLength + value.length > this.vectors.length) this.growVectors(vectorLength + value.length);
      this.vectors.set(value, vectorLength);
      vectorLength += value.length;
      dims[count] = value.length;
    }
    if (newNames !== undefined) this.engine.setKeyNames(firstNewId, newNames);
    if (count > 0) {
      const vectorInput = this.reads === 'vector';
      const result = this.engine.processBatch({
        count,
        keys,
        timestamps: times,
        values: this.reads === 'number' ? values : undefined,
        vectors: vectorInput ? this.vectors : undefined,
        dims: vectorInput ? dims : undefined,
      });
      if (result !== null) {
        this.emit(result);
        for (let i = 0; i < result.late.length; i++) this.late(records[result.late[i]], times[result.late[i]]);
        if (result.refused !== undefined) {
          const record = records[result.refused.index];
          // A value the engine saw as NaN is named as it was.
          const message = this.reads === 'number' && /: value must be a finite number/.test(result.refused.message) ? this.valueProblem(record) : result.refused.message;
          this.refuse(message, record);
        }
      }
    }
    if (refused !== undefined) this.refuseRecord(refused, records[count], timestamps?.[count]);
  }

  private refuseRecord(reason: 'timestamp' | 'value' | 'vector', record: In, timestamp: number | undefined): never {
    if (reason === 'timestamp') return requireOperatorTimestamp('window operator', this.name, timestamp, record) as never;
    if (reason === 'value') return this.refuse(this.valueProblem(record), record);
    const value = this.field === undefined ? record : (record as Record<PropertyKey, unknown>)[this.field];
    return this.refuse(`${this.plan.aggregateName}: value must be a Float32Array, got ${describeValue(value)}`, value);
  }

  processWatermark(watermark: number): void {
    requireWatermark(`window operator "${this.name}"`, watermark);
    if (watermark <= this.watermark) return;
    this.watermark = Math.min(watermark, MAX_WATERMARK);
    this.forgetReleased();
    const result = this.engine.processWatermark(this.watermark);
    if (result !== null) {
      this.emit(result);
      if (result.releasedKeys.length > 0) this.released = result.releasedKeys;
    }
    this.options.output.emitWatermark?.(this.watermark);
  }

  endOfInput(): void {
    this.processWatermark(MAX_WATERMARK);
  }

  /** Nothing runs on the clock: event time only. */
  close(): void {}

  private emit(result: WindowBatchResult): void {
    if (this.plan.process !== undefined) {
      this.emitThroughProcess(result, this.plan.process);
      return;
    }
    const { output } = this.options;
    const { fired, ends, values } = result;
    if (values === undefined) {
      for (let i = 0; i < fired; i++) output.collect(result.value(i) as Out, ends[i] - 1);
      return;
    }
    // Scalar results straight from the typed array: a firing of thousands of windows makes no garbage here.
    if (output.collectAll === undefined) {
      for (let i = 0; i < fired; i++) output.collect(values[i] as Out, ends[i] - 1);
      return;
    }
    if (this.maxTimestamps.length < fired) this.maxTimestamps = new Float64Array(Math.max(fired, 2 * this.maxTimestamps.length));
    const maxTimestamps = this.maxTimestamps;
    for (let i = 0; i < fired; i++) maxTimestamps[i] = ends[i] - 1;
    output.collectAll(values as unknown as ArrayLike<Out>, maxTimestamps, fired);
  }

  /** `aggregate(agg, process)`: the process function gets each fired window's key, window and result, in firing order. */
  private emitThroughProcess(result: WindowBatchResult, process: NonNullable<NativeWindowPlan['process']>): void {
    const { output, clock } = this.options;
    const { fired, keys, starts, ends, values } = result;
    // One firing is one instant of processing time.
    const currentProcessingTime = clock?.now() ?? Date.now();
    let timestamp = 0;
    const collector = { collect: (record: Out) => output.collect(record, timestamp) };
    for (let i = 0; i < fired; i++) {
      const window = new TimeWindow(starts[i], ends[i]);
      timestamp = window.maxTimestamp;
      const context = { window, currentWatermark: this.watermark, currentProcessingTime };
      const value = values === undefined ? result.value(i) : values[i];
      try {
        process.process(this.keyOf(keys[i]), context, [value], collector);
      } catch (error) {
        throw windowFunctionFailure(this.name, window, error);
      }
    }
  }

  /** The key a key id stands for: the selector's value (for object keys, the first of the equal ones seen). */
  private keyOf(id: number): Key {
    const entry = this.entryOfId[id];
    return (isObjectKeyEntry(entry) ? entry.key : entry) as Key;
  }

  /** What is wrong with a record's value, in the words of the TypeScript core's built-in aggregates. */
  private valueProblem(record: In): string {
    const field = this.field;
    const name = this.plan.aggregateName;
    if (field !== undefined && (record === null || typeof record !== 'object')) return `${name}: element has no field "${String(field)}": ${describeValue(record)}`;
    const value = field === undefined ? record : (record as Record<PropertyKey, unknown>)[field];
    return `${name}: value must be a finite number, got ${describeValue(value)}`;
  }

  /** Forgets the keys the engine released (it holds no window for them); their ids are reused. */
  private forgetReleased(): void {
    const ids = this.released;
    if (ids === undefined) return;
    this.released = undefined;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const entry = this.entryOfId[id];
      if (isObjectKeyEntry(entry)) this.objectKeyIds.delete(entry.object);
      else this.keyIds.delete(entry);
      this.entryOfId[id] = undefined;
      this.freeKeyIds.push(id);
    }
  }

  /** Keys the operator holds an id for (live keys, plus keys whose records were all late). */
  get keyCount(): number {
    this.forgetReleased();
    return this.keyIds.size + this.objectKeyIds.size;
  }

  private late(record: In, timestamp: number): void {
    if (this.options.sideOutputLateData !== undefined) this.options.sideOutputLateData(record, timestamp);
    else this.lateRecordsDropped++;
  }

  private select(record: In, keySelector: (record: In) => Key): Key {
    try {
      return keySelector(record);
    } catch (error) {
      if (error instanceof OperatorError) throw error;
      if (error instanceof ValidationError) this.refuse(error.message, record);
      throw new OperatorError(this.name, record, error);
    }
  }

  private refuse(message: string, value: unknown): never {
    throw new ValidationError(`window operator "${this.name}": ${message}`, { details: { operator: this.name, value: describeValue(value) } });
  }

  /** Configuration errors of the engine become validation errors naming this operator. */
  private refusing<R>(fn: () => R): R {
    try {
      return fn();
    } catch (error) {
      throw new ValidationError(`window operator "${this.name}": ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
        details: { operator: this.name },
      });
    }
  }

  private reserve(n: number): void {
    if (this.keys.length >= n) return;
    let capacity = this.keys.length;
    while (capacity < n) capacity *= 2;
    this.keys = new Int32Array(capacity);
    this.timestamps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.dims = new Int32Array(capacity);
  }

  private growVectors(needed: number): void {
    let capacity = this.vectors.length;
    while (capacity < needed) capacity *= 2;
    const grown = new Float32Array(capacity);
    grown.set(this.vectors);
    this.vectors = grown;
  }
}
