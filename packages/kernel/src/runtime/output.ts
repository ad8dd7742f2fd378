import { partitionForKey } from '@sage/common';
import { type ChannelMessage, DATA, type DataMessage, END, WATERMARK, WATERMARK_STATUS } from './channel.js';

/**
 * Where an output edge hands batches: a local `Channel`, or a remote target that adds each batch to a queue.
 * A returned promise is backpressure: the next batch for this target waits for it.
 */
export interface BatchTarget {
  put(message: ChannelMessage): void | Promise<void>;
}

/** How one output edge picks target instances. */
export type Partitioner =
  | { kind: 'forward' }
  | { kind: 'rebalance' }
  | { kind: 'broadcast' }
  | { kind: 'hash'; keySelector: (record: unknown) => unknown };

/** One edge from this instance to the instances of a downstream operator. */
export interface OutputEdge {
  partitioner: Partitioner;
  /** Target instances' channels, by parallel index (a forward edge has exactly one). */
  targets: BatchTarget[];
  /** Index of this edge among each target's input edges. */
  targetEdge: number;
  /** Side output tag this edge consumes, or undefined for the main output. */
  tag: string | undefined;
}

/**
 * Collects the records an instance emits into per-target batches and hands them to the channels on
 * `flush()`. Emitting is a synchronous array push; only flushing can wait (backpressure).
 */
export class Output {
  private readonly main: EdgeWriter[];
  private readonly sides = new Map<string, EdgeWriter[]>();
  private readonly all: EdgeWriter[];
  /** With exactly one edge to exactly one target, records go straight into its buffer (the common case). */
  private readonly single: EdgeWriter | undefined;
  private flushesInFlight = 0;
  private direct: unknown[] | undefined;
  private counted = 0;

  constructor(edges: OutputEdge[], private readonly batchSize: number, private readonly startIndex: number) {
    this.all = edges.map((edge) => new EdgeWriter(edge, startIndex));
    this.main = this.all.filter((writer) => writer.edge.tag === undefined);
    for (const writer of this.all) {
      const tag = writer.edge.tag;
      if (tag === undefined) continue;
      const list = this.sides.get(tag) ?? [];
      list.push(writer);
      this.sides.set(tag, list);
    }
    if (this.all.length === 1 && this.main.length === 1 && this.main[0]!.targetCount === 1) {
      this.single = this.main[0];
      this.direct = this.single.buffers[0];
    }
  }

  /** Records emitted on the main output so far. */
  get recordsOut(): number {
    return this.counted + (this.direct?.length ?? 0);
  }

  get hasMain(): boolean {
    return this.main.length > 0;
  }

  hasSide(tag: string): boolean {
    return this.sides.has(tag);
  }

  emit(record: unknown): void {
    const direct = this.direct;
    if (direct !== undefined) {
      direct.push(record);
      return;
    }
    this.counted++;
    const main = this.main;
    for (let i = 0; i < main.length; i++) main[i]!.write(record);
  }

  /** Emits a whole array; takes ownership of it (the caller must not change it afterwards). */
  emitAll(records: unknown[]): void {
    if (this.direct !== undefined) {
      if (this.direct.length === 0) {
        // Hand the array on as the next batch instead of copying it record by record.
        this.single!.buffers[0] = records;
        this.direct = records;
      } else {
        for (let i = 0; i < records.length; i++) this.direct.push(records[i]);
      }
      return;
    }
    this.counted += records.length;
    const main = this.main;
    for (let i = 0; i < main.length; i++) {
      const writer = main[i]!;
      for (let j = 0; j < records.length; j++) writer.write(records[j]);
    }
  }

  /**
   * Emits a record with its event-time timestamp (timestamp assigners, windows, and functions applied to
   * timestamped records). Records emitted without one in between get `NaN` (no timestamp).
   */
  emitTimestamped(record: unknown, timestamp: number): void {
    if (this.direct !== undefined) {
      this.single!.writeTimestamped(record, timestamp);
      return;
    }
    this.counted++;
    const main = this.main;
    for (let i = 0; i < main.length; i++) main[i]!.writeTimestamped(record, timestamp);
  }

  /** `emitTimestamped` for the first `count` records, with their timestamps. */
  emitTimestampedAll(records: ArrayLike<unknown>, timestamps: ArrayLike<number>, count: number): void {
    if (this.direct !== undefined) {
      this.single!.writeAllTimestamped(records, timestamps, count);
      return;
    }
    this.counted += count;
    const main = this.main;
    for (let i = 0; i < main.length; i++) main[i]!.writeAllTimestamped(records, timestamps, count);
  }

  /**
   * Sends a watermark to every target instance of every edge, after the records emitted before it
   * (the buffers are flushed first, so it stays in order with the data).
   */
  emitWatermark(watermark: number): void | Promise<void> {
    return this.afterFlush((writer, pending) => writer.control(WATERMARK, watermark, this.startIndex, pending));
  }

  /** Sends this instance's idleness (`true`) or activity to every target instance, in order with the data. */
  emitWatermarkStatus(idle: boolean): void | Promise<void> {
    return this.afterFlush((writer, pending) => writer.control(WATERMARK_STATUS, idle, this.startIndex, pending));
  }

  /** No records buffered and no flush waiting on a full channel: a control message sent now keeps its place. */
  get quiet(): boolean {
    return this.flushesInFlight === 0 && this.buffered === 0;
  }

  private afterFlush(send: (writer: EdgeWriter, pending: Promise<void>[]) => void): void | Promise<void> {
    const broadcast = () => {
      const pending: Promise<void>[] = [];
      for (const writer of this.all) send(writer, pending);
      if (pending.length > 0) return Promise.all(pending).then(() => undefined);
    };
    const flushing = this.flush();
    return flushing === undefined ? broadcast() : flushing.then(broadcast);
  }

  emitSide(tag: string, record: unknown): void {
    const writers = this.sides.get(tag);
    if (writers === undefined) return;
    for (const writer of writers) writer.write(record);
  }

  /** Records waiting in this output's buffers. */
  get buffered(): number {
    let total = 0;
    for (const writer of this.all) total += writer.buffered;
    return total;
  }

  /** Hands every buffered batch to its channel; resolves when all are accepted. */
  flush(): void | Promise<void> {
    const pending = this.flushBuffers();
    if (pending === undefined) return;
    this.flushesInFlight++;
    const done = () => {
      this.flushesInFlight--;
    };
    pending.then(done, done);
    return pending;
  }

  private flushBuffers(): Promise<void> | undefined {
    if (this.single !== undefined) {
      this.counted += this.direct!.length;
      const pending = this.single.flush(this.batchSize);
      this.direct = this.single.buffers[0];
      return pending;
    }
    let waiting: Promise<void>[] | undefined;
    for (const writer of this.all) {
      const pending = writer.flush(this.batchSize);
      if (pending !== undefined) (waiting ??= []).push(pending);
    }
    if (waiting !== undefined) return Promise.all(waiting).then(() => undefined);
  }

  /** Sends end-of-partition to every target instance (after a final flush). */
  async end(): Promise<void> {
    await this.flush();
    const pending: Promise<void>[] = [];
    for (const writer of this.all) writer.end(pending);
    if (pending.length > 0) await Promise.all(pending);
  }
}

class EdgeWriter {
  readonly buffers: unknown[][];
  /** Timestamps parallel to `buffers`, created by the first timestamped record. */
  private stamps: number[][] | undefined;
  readonly targetCount: number;
  private nextTarget: number;

  constructor(readonly edge: OutputEdge, startIndex: number) {
    this.targetCount = edge.targets.length;
    this.buffers = edge.targets.map(() => []);
    // Instances start their round-robin at different targets so that small streams still spread out.
    this.nextTarget = startIndex % Math.max(1, this.targetCount);
  }

  get buffered(): number {
    let total = 0;
    for (const buffer of this.buffers) total += buffer.length;
    return total;
  }

  write(record: unknown): void {
    const partitioner = this.edge.partitioner;
    if (this.targetCount === 1) {
      this.buffers[0]!.push(record);
      return;
    }
    switch (partitioner.kind) {
      case 'hash':
        this.buffers[partitionForKey(partitioner.keySelector(record), this.targetCount)]!.push(record);
        return;
      case 'broadcast':
        for (const buffer of this.buffers) buffer.push(record);
        return;
      default:
        this.buffers[this.nextTarget]!.push(record);
        this.nextTarget = this.nextTarget + 1 === this.targetCount ? 0 : this.nextTarget + 1;
    }
  }

  writeTimestamped(record: unknown, timestamp: number): void {
    const stamps = (this.stamps ??= this.buffers.map(() => []));
    const partitioner = this.edge.partitioner;
    let target = 0;
    if (this.targetCount > 1) {
      if (partitioner.kind === 'hash') {
        target = partitionForKey(partitioner.keySelector(record), this.targetCount);
      } else if (partitioner.kind === 'broadcast') {
        for (let t = 0; t < this.targetCount; t++) {
          pad(stamps[t]!, this.buffers[t]!.length);
          this.buffers[t]!.push(record);
          stamps[t]!.push(timestamp);
        }
        return;
      } else {
        target = this.nextTarget;
        this.nextTarget = this.nextTarget + 1 === this.targetCount ? 0 : this.nextTarget + 1;
      }
    }
    pad(stamps[target]!, this.buffers[target]!.length);
    this.buffers[target]!.push(record);
    stamps[target]!.push(timestamp);
  }

  writeAllTimestamped(records: ArrayLike<unknown>, timestamps: ArrayLike<number>, count: number): void {
    if (this.targetCount !== 1) {
      for (let i = 0; i < count; i++) this.writeTimestamped(records[i], timestamps[i]!);
      return;
    }
    const buffer = this.buffers[0]!;
    const stamps = pad((this.stamps ??= [[]])[0]!, buffer.length);
    for (let i = 0; i < count; i++) {
      buffer.push(records[i]);
      stamps.push(timestamps[i]!);
    }
  }

  flush(batchSize: number): Promise<void> | undefined {
    let waiting: Promise<void>[] | undefined;
    for (let target = 0; target < this.targetCount; target++) {
      const buffer = this.buffers[target]!;
      if (buffer.length === 0) continue;
      this.buffers[target] = [];
      let stamps: number[] | undefined;
      if (this.stamps !== undefined) {
        stamps = pad(this.stamps[target]!, buffer.length);
        this.stamps[target] = [];
      }
      const channel = this.edge.targets[target]!;
      for (let start = 0; start < buffer.length; start += batchSize) {
        const whole = start === 0 && buffer.length <= batchSize;
        const records = whole ? buffer : buffer.slice(start, start + batchSize);
        const pending = channel.put(this.message(records, stamps === undefined ? undefined : whole ? stamps : stamps.slice(start, start + batchSize)));
        if (pending !== undefined) {
          // Later chunks for this target must queue behind this one to keep order.
          if (start + batchSize < buffer.length) {
            const rest = buffer.slice(start + batchSize);
            const restStamps = stamps?.slice(start + batchSize);
            const chained = pending.then(() => this.putAll(channel, rest, restStamps, batchSize));
            (waiting ??= []).push(chained);
            break;
          }
          (waiting ??= []).push(pending);
        }
      }
    }
    return waiting === undefined ? undefined : Promise.all(waiting).then(() => undefined);
  }

  private message(records: unknown[], timestamps: number[] | undefined): DataMessage {
    if (timestamps === undefined) return { kind: DATA, edge: this.edge.targetEdge, records };
    return { kind: DATA, edge: this.edge.targetEdge, records, timestamps };
  }

  private async putAll(channel: BatchTarget, records: unknown[], stamps: number[] | undefined, batchSize: number): Promise<void> {
    for (let start = 0; start < records.length; start += batchSize) {
      await channel.put(this.message(records.slice(start, start + batchSize), stamps?.slice(start, start + batchSize)));
    }
  }

  /** Watermarks and statuses name the sender; on a forward edge the receiver has one upstream instance, index 0. */
  control(kind: typeof WATERMARK, watermark: number, instance: number, pending: Promise<void>[]): void;
  control(kind: typeof WATERMARK_STATUS, idle: boolean, instance: number, pending: Promise<void>[]): void;
  control(kind: typeof WATERMARK | typeof WATERMARK_STATUS, value: number | boolean, instance: number, pending: Promise<void>[]): void {
    const from = this.edge.partitioner.kind === 'forward' ? 0 : instance;
    const edge = this.edge.targetEdge;
    for (const channel of this.edge.targets) {
      // Built field by field, one shape per kind: a spread of the message made each one slow to create.
      const message: ChannelMessage =
        kind === WATERMARK ? { kind, edge, from, watermark: value as number } : { kind, edge, from, idle: value as boolean };
      const put = channel.put(message);
      if (put !== undefined) pending.push(put);
    }
  }

  /** Local channels take the end at once; remote targets add their waits to `pending`. */
  end(pending: Promise<void>[]): void {
    for (const channel of this.edge.targets) {
      const put = channel.put({ kind: END, edge: this.edge.targetEdge });
      if (put !== undefined) pending.push(put);
    }
  }
}

/** Records emitted without a timestamp among timestamped ones get `NaN`, keeping the arrays parallel. */
function pad(stamps: number[], length: number): number[] {
  while (stamps.length < length) stamps.push(Number.NaN);
  return stamps;
}
