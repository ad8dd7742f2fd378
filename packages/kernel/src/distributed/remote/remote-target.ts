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
import { toWire } from './wire-value.js';

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
    const header = { edge: message.edge, from: this.upstreamInstance, sequence: this.sequence++ };
    await this.queue.add('batch', { ...header, ...this.payload(message) } as BatchJobData, {
      ...JOB_OPTIONS,
      jobId: batchJobId(message.edge, header.from, header.sequence),
    });
  }

  /**
   * A channel message as job data. JSON has no NaN, so a record without a timestamp travels as `null`; records
   * holding typed arrays travel in their wire form, flagged so that the receiver decodes only such batches.
   */
  private payload(message: ChannelMessage): object {
    switch (message.kind) {
      case DATA: {
        const refuse = (reason: string, path: string) => new RecordNotSerializableError(this.operator, path === '' ? reason : `${reason} (at record${path})`);
        let typed = false;
        const records = message.records.map((record) => {
          if (record === undefined) throw refuse('a value of type undefined is not JSON', '');
          const wire = toWire(record, refuse);
          if (wire !== record) typed = true;
          return wire;
        });
        return {
          records,
          ...(typed ? { typed } : {}),
          ...(message.timestamps === undefined ? {} : { timestamps: message.timestamps.map((timestamp) => (Number.isNaN(timestamp) ? null : timestamp)) }),
        };
      }
      case END:
        return { end: true };
      case WATERMARK:
        return { watermark: message.watermark };
      case WATERMARK_STATUS:
        return { idle: message.idle };
    }
  }
}
