/**
 * Every Redis key and channel name of the distributed runtime is formed here, and nowhere else.
 *
 * Key contract (`<p>` is the prefix, default `sage`; `<id>` a job id from `newJobId`):
 *
 *   <p>:jobs                    sorted set   every job id, scored by submittedAt (epoch ms)
 *   <p>:jobs:<status>           sorted set   the job ids currently in <status>, same score
 *   <p>:jobs:started            channel      pub/sub, not a key: a job's id when it starts running (workers attach)
 *   <p>:job:<id>                hash         the job record (see job-store.ts for its fields)
 *   <p>:job:<id>:metrics        hash         `<metric>:<operator>` -> number, merged by every worker
 *   <p>:job:<id>:logs           stream       log entries (time, level, source, message), capped with MAXLEN ~
 *   <p>:job:<id>:control        channel      pub/sub, not a key: `stop` is published when a stop is requested
 *   <p>:job:<id>:q:<queue>:…    BullMQ       the job's queues: BullMQ prefix `<p>:job:<id>:q`, one queue per
 *                                            (target operator, partition), named by `queueName`
 *   <p>:job:<id>:svc:<service>:… BullMQ   calls to the job's services: BullMQ prefix `<p>:job:<id>:svc`, one
 *                                            queue per service, named by `serviceQueueName`; the submitting
 *                                            process consumes them
 *   <p>:job:<id>:ends:<queue>   set          end-of-partition markers the partition `<queue>` has received, as
 *                                            `<edge>.<upstream instance>` (a replayed marker counts once)
 *   <p>:job:<id>:seq:<queue>    hash         next batch sequence of partition `<queue>` per output target
 *                                            (`<target queue>#<edge>`), advanced with each committed batch
 *   <p>:job:<id>:done:<queue>   hash         `<edge>.<upstream instance>` -> sequence of the last batch the
 *                                            partition committed from it; a batch at or below it is a replay
 *   <p>:job:<id>:state:<queue>  hash         keyed state of the partition: encoded key -> JSON of its states
 *   <p>:job:<id>:lease:<queue>  string       id of the worker that owns the partition, with a TTL (PX)
 *   <p>:job:<id>:alive          sorted set   worker id -> time of its last heartbeat (Redis TIME, ms)
 *   <p>:job:<id>:takers         set          the live workers that have begun taking partitions (the ones
 *                                            fair shares are balanced between)
 *   <p>:job:<id>:sinks-done     set          sink partitions (queue names) that have finished; all = finished
 *   <p>:job:<id>:workers        set          ids of the worker processes attached to the job
 *   <p>:job:<id>:submitter      string       `host:pid` of the submitting process, with a TTL its heartbeat renews
 *   <p>:job:<id>:bundle         hash         the pipeline module bundled by the submitter (`code`, JavaScript) and
 *                                            its HMAC-SHA256 (`signature`, hex); present only for `code: 'bundle'`
 *
 * A batch's changes to seq, done, state, ends, sinks-done and the job metrics are committed together, by the
 * lease owner only (worker/partition-scripts.ts).
 *
 * A job owns exactly `<p>:job:<id>` and the keys under `<p>:job:<id>:`, so a job is deleted by removing those and
 * its entries in the indexes. Prefix and job ids never contain glob characters, so `jobKeyPattern` is a safe
 * SCAN pattern. Keys of one job are not in one Redis Cluster hash slot: Redis Cluster is not supported yet.
 */
import { ValidationError } from '@sage/common';
import type { JobRecordStatus } from './job-record.js';

export const DEFAULT_KEY_PREFIX = 'sage';

/** Segments of letters, digits, `_`, `-` and `.`, joined by `:`. */
const PREFIX_SHAPE = /^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*$/;
/** What `newJobId` makes: 9 base-36 digits of time, `-`, 6 random base-36 digits. */
const JOB_ID_SHAPE = /^[0-9a-z]{9}-[0-9a-z]{6}$/;

export class RedisKeys {
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_KEY_PREFIX) {
    if (!PREFIX_SHAPE.test(prefix)) {
      throw new ValidationError(
        `Redis key prefix "${prefix}" must be letters, digits, "_", "-" or "." in segments joined by ":" (for example "sage" or "team-a:sage")`,
      );
    }
    this.prefix = prefix;
  }

  /** Every job, newest with the highest score. */
  jobIndex(): string {
    return `${this.prefix}:jobs`;
  }

  /** The jobs in one status. */
  statusIndex(status: JobRecordStatus): string {
    return `${this.prefix}:jobs:${status}`;
  }

  job(id: string): string {
    return `${this.prefix}:job:${checkJobId(id)}`;
  }

  jobMetrics(id: string): string {
    return `${this.job(id)}:metrics`;
  }

  jobLogs(id: string): string {
    return `${this.job(id)}:logs`;
  }

  /** Pub/sub channel on which `stop` is published. */
  jobControl(id: string): string {
    return `${this.job(id)}:control`;
  }

  /** Pub/sub channel on which the id of a job that has started running is published, so workers attach at once. */
  jobsStarted(): string {
    return `${this.prefix}:jobs:started`;
  }

  /** The BullMQ `prefix` option for the job's queues. */
  queuePrefix(id: string): string {
    return `${this.job(id)}:q`;
  }

  /** The BullMQ `prefix` option for the job's service-call queues. */
  serviceQueuePrefix(id: string): string {
    return `${this.job(id)}:svc`;
  }

  /** The end-of-partition markers one partition (`queueName(operator, partition)`) has received. */
  partitionEnds(id: string, operator: string, partition: number): string {
    return `${this.job(id)}:ends:${queueName(operator, partition)}`;
  }

  /**
   * The next output batch sequence of one partition, per target. Committed with each batch, so the process that
   * takes the partition over continues the numbering, and a batch redone from the committed state gets the same
   * ids.
   */
  partitionSequences(id: string, operator: string, partition: number): string {
    return `${this.job(id)}:seq:${queueName(operator, partition)}`;
  }

  /** The last committed batch sequence per input (`<edge>.<upstream instance>`) of one partition. */
  partitionDone(id: string, operator: string, partition: number): string {
    return `${this.job(id)}:done:${queueName(operator, partition)}`;
  }

  /** The keyed state of one partition. */
  partitionState(id: string, operator: string, partition: number): string {
    return `${this.job(id)}:state:${queueName(operator, partition)}`;
  }

  /** Who owns one partition: a worker id that expires unless its heartbeat renews it. */
  partitionLease(id: string, operator: string, partition: number): string {
    return `${this.job(id)}:lease:${queueName(operator, partition)}`;
  }

  /** Heartbeats of the workers serving the job; a worker silent for a lease period counts as gone. */
  jobAlive(id: string): string {
    return `${this.job(id)}:alive`;
  }

  /** The live workers of the job that take partitions: those still starting are in `jobAlive` only. */
  jobTakers(id: string): string {
    return `${this.job(id)}:takers`;
  }

  /** The submitting process of a running job (`host:pid`), expiring unless its heartbeat renews it. */
  jobSubmitter(id: string): string {
    return `${this.job(id)}:submitter`;
  }

  /** Sink partitions that have finished. */
  sinksDone(id: string): string {
    return `${this.job(id)}:sinks-done`;
  }

  /** The worker processes attached to the job; the submitter waits for it to empty before removing queues. */
  jobWorkers(id: string): string {
    return `${this.job(id)}:workers`;
  }

  /** The job's signed code bundle (remote-environment `code: 'bundle'`). */
  jobBundle(id: string): string {
    return `${this.job(id)}:bundle`;
  }

  /** SCAN pattern for every key under the job (not the job hash itself). */
  jobKeyPattern(id: string): string {
    return `${this.job(id)}:*`;
  }
}

/**
 * The BullMQ queue name of one partition of an operator. Operator names may hold any character; BullMQ refuses
 * `:` in queue names, so everything but letters, digits, `_`, `-` and `.` is percent-encoded.
 */
export function queueName(operator: string, partition: number): string {
  if (!Number.isInteger(partition) || partition < 0) throw new ValidationError(`partition must be an integer >= 0, got ${partition}`);
  return `${encodeSegment(operator)}.${partition}`;
}

/** The BullMQ queue name of the calls to one service (service names may hold any character, as operator names). */
export function serviceQueueName(service: string): string {
  if (typeof service !== 'string' || service.length === 0) throw new ValidationError('service name must be a non-empty string');
  return encodeSegment(service);
}

/**
 * The deterministic BullMQ job id of a batch, unique within its target queue: the target's input edge, the
 * upstream instance and its batch sequence number. A batch re-sent after a crash gets the same id, and BullMQ
 * drops the duplicate. BullMQ refuses integer ids and ids with `:`, so the parts are joined by `.`.
 */
export function batchJobId(edge: number, upstreamInstance: number, sequence: number): string {
  for (const [name, value] of [
    ['edge', edge],
    ['upstreamInstance', upstreamInstance],
    ['sequence', sequence],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new ValidationError(`batch ${name} must be an integer >= 0, got ${value}`);
  }
  return `b${edge}.${upstreamInstance}.${sequence}`;
}

export function isJobId(value: string): boolean {
  return JOB_ID_SHAPE.test(value);
}

function checkJobId(id: string): string {
  if (!isJobId(id)) throw new ValidationError(`"${id}" is not a job id (job ids look like 0mgx1k2p3-x8f2k1)`);
  return id;
}

function encodeSegment(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/gu, (character) =>
    [...Buffer.from(character, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}
