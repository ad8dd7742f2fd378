/**
 * The `BatchTarget` of an output edge whose target instance runs on a worker: each batch, and the end of this
 * upstream instance, and each of its watermarks and idleness changes, becomes one BullMQ job on the target
 * partition's queue. Job ids are deterministic
 * (`batchJobId`), so a batch sent twice while the first is still queued is kept once; the receiving partition
 * drops one it has already committed (`partitionDone`). Awaiting the add is the backpressure.
 */
import type { Queue } from 'bullmq';
import { type ChannelMessage, DATA, END, WATERMARK, WATERMARK_STATUS } from '../../runtime/channel.js';
import type { BatchTarget } from '../../runtime/output.js';
import { batchJobId } from '../keys.js';
import type { BatchJobData } from './job-queues.js';
import { RecordNotSerializableError } from './remote-errors.js';

/** Completed batch jobs are removed at once; the job's queues are obliterated when it ends. */
const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: true, attempts: 1 } as const;

export class RemoteTarget implements BatchTarget {
  /** Names this target in a partition's saved sequences: target queue and edge. */
  readonly key: string;
  /** The next batch's sequence number; committed with each batch of the sending partition (`partitionSequences`). */
  sequence = 0;

  constructor(
    private readonly queue: Queue,
    /** The operator that emits into this target, named in errors. */
    private readonly operator: string,
    private readonly upstreamInstance: number,
    edge: number,
  ) {
    this.key = `${queue.name}#${edge}`;
  }

  async put(message: ChannelMessage): Promise<void> {
    if (message.kind === DATA) for (const record of message.records) checkJson(this.operator, record);
    const header = { edge: message.edge, from: this.upstreamInstance, sequence: this.sequence++ };
    await this.queue.add('batch', { ...header, ...payload(message) } as BatchJobData, {
      ...JOB_OPTIONS,
      jobId: batchJobId(message.edge, header.from, header.sequence),
    });
  }
}

/** A channel message as job data: JSON has no NaN, so a record without a timestamp travels as `null`. */
function payload(message: ChannelMessage): object {
  switch (message.kind) {
    case DATA:
      return message.timestamps === undefined
        ? { records: message.records }
        : { records: message.records, timestamps: message.timestamps.map((timestamp) => (Number.isNaN(timestamp) ? null : timestamp)) };
    case END:
      return { end: true };
    case WATERMARK:
      return { watermark: message.watermark };
    case WATERMARK_STATUS:
      return { idle: message.idle };
  }
}

/** Refuses what JSON would drop or change silently (undefined, functions, Map, Date, class instances, NaN). */
function checkJson(operator: string, value: unknown, depth = 0): void {
  if (depth > 100) throw new RecordNotSerializableError(operator, 'it is nested more than 100 levels deep (a cycle?)');
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new RecordNotSerializableError(operator, `the number ${value} is not JSON`);
      return;
    case 'object': {
      if (value === null) return;
      if (Array.isArray(value)) {
        for (const item of value) checkJson(operator, item, depth + 1);
        return;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) {
        const name = (value as object).constructor?.name ?? 'object';
        throw new RecordNotSerializableError(operator, `a ${name} is not a plain object`);
      }
      // An undefined property is left out by JSON, as the record's reader expects.
      for (const item of Object.values(value)) if (item !== undefined) checkJson(operator, item, depth + 1);
      return;
    }
    default:
      throw new RecordNotSerializableError(operator, `a value of type ${typeof value} is not JSON`);
  }
}
