/**
 * A bounded multi-producer, single-consumer queue of messages between operator instances. Data messages
 * count against the capacity (that is the backpressure); control messages (end of partition, watermarks) never wait.
 */
export const DATA = 0;
export const END = 1;
/** An upstream instance's event-time watermark; only pipelines with event time ever send one. */
export const WATERMARK = 2;
/** An upstream instance became idle (sends no records or watermarks for now) or active again. */
export const WATERMARK_STATUS = 3;

export interface DataMessage {
  kind: typeof DATA;
  /** Index of the receiving task's input edge the batch came through. */
  edge: number;
  records: unknown[];
  /**
   * Event-time timestamps, parallel to `records`, only on batches of operators that assign or produce them
   * (timestamp assigners, windows). A parallel array rather than a wrapper per record: pipelines without event
   * time keep sending the user's records as they are and pay nothing. `NaN` marks a record without one.
   */
  timestamps?: number[];
}

/** The event-time timestamp of record `index` of a batch, if it has one. */
export function timestampAt(timestamps: number[] | undefined, index: number): number | undefined {
  const timestamp = timestamps?.[index];
  return timestamp === undefined || Number.isNaN(timestamp) ? undefined : timestamp;
}

export interface EndMessage {
  kind: typeof END;
  edge: number;
}

export interface WatermarkMessage {
  kind: typeof WATERMARK;
  edge: number;
  /** Parallel index of the sending instance (0 on forward edges), so the receiver combines per instance. */
  from: number;
  watermark: number;
}

/** Flink's `WatermarkStatus`: an idle instance is left out of the receiver's combined watermark. */
export interface WatermarkStatusMessage {
  kind: typeof WATERMARK_STATUS;
  edge: number;
  from: number;
  idle: boolean;
}

export type ChannelMessage = DataMessage | EndMessage | WatermarkMessage | WatermarkStatusMessage;

export class Channel {
  private readonly queue: ChannelMessage[] = [];
  private head = 0;
  private dataCount = 0;
  private takeWaiter: ((message: ChannelMessage) => void) | undefined;
  private readonly putWaiters: Array<() => void> = [];
  private failure: unknown;
  maxDepth = 0;
  /** Set on channels of feedback-loop instances: data messages count as loop work until processed. */
  loop: { startWork(): void } | undefined;

  /** `capacity` in data batches; `Infinity` for channels that must never block (feedback edges). */
  constructor(readonly capacity: number) {}

  get size(): number {
    return this.queue.length - this.head;
  }

  get pendingData(): number {
    return this.dataCount;
  }

  /** Enqueue, waiting for space when the channel is full. */
  put(message: ChannelMessage): void | Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (message.kind === DATA && this.dataCount >= this.capacity) {
      return new Promise<void>((resolve, reject) => {
        this.putWaiters.push(() => {
          if (this.failure !== undefined) reject(this.failure);
          else {
            this.enqueue(message);
            resolve();
          }
        });
      });
    }
    this.enqueue(message);
  }

  /** The next message, synchronously when one is queued. */
  poll(): ChannelMessage | undefined {
    if (this.head === this.queue.length) return undefined;
    const message = this.queue[this.head]!;
    this.queue[this.head++] = undefined as unknown as ChannelMessage;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (message.kind === DATA) {
      this.dataCount--;
      this.wakeProducer();
    }
    return message;
  }

  /** Waits for the next message. */
  take(): Promise<ChannelMessage> {
    const message = this.poll();
    if (message !== undefined) return Promise.resolve(message);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<ChannelMessage>((resolve, reject) => {
      this.takeWaiter = resolve;
      this.rejectTake = reject;
    });
  }

  /** Fails every waiting and future operation: used when the job is torn down. */
  abort(reason: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = reason;
    const reject = this.rejectTake;
    this.takeWaiter = undefined;
    this.rejectTake = undefined;
    reject?.(reason);
    for (const waiter of this.putWaiters.splice(0)) waiter();
  }

  private rejectTake: ((reason: unknown) => void) | undefined;

  private enqueue(message: ChannelMessage): void {
    if (message.kind === DATA) {
      this.dataCount++;
      this.loop?.startWork();
    }
    const waiter = this.takeWaiter;
    if (waiter !== undefined) {
      this.takeWaiter = undefined;
      this.rejectTake = undefined;
      if (message.kind === DATA) {
        this.dataCount--;
        this.wakeProducer();
      }
      waiter(message);
      return;
    }
    this.queue.push(message);
    const depth = this.queue.length - this.head;
    if (depth > this.maxDepth) this.maxDepth = depth;
  }

  private wakeProducer(): void {
    if (this.putWaiters.length > 0 && this.dataCount < this.capacity) this.putWaiters.shift()!();
  }
}
