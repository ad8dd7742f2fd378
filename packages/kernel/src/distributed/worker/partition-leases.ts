/**
 * Which partitions of a job this worker process owns. Every `heartbeatMs` it renews its leases and takes free
 * partitions up to its fair share; a lease not renewed for `leaseMs` (the worker died or hung) expires and
 * another worker takes the partition. The first beat only announces the worker, and the first taking beat
 * follows after `FIRST_TAKE_MS` (or the heartbeat, if shorter). Workers hear of a job the moment it starts (a
 * pub/sub message; polling the store is the fallback) and announce themselves before they import its module,
 * so by then the others have announced too: workers attaching together share the partitions instead of the
 * first taking them all, and a job does not wait a whole heartbeat to start. A worker that announced late
 * gets its share by rebalancing.
 *
 * When workers join a running job, the heartbeat tells a worker holding more than its fair share to give some
 * partitions back (`heartbeatScript`): it stops taking their batches, lets the one in progress commit, closes
 * the instances (`lost`) and only then deletes the leases, so a newcomer takes them at its next beat and opens
 * them from the last commit.
 */
import type { Logger } from '@sage/common';
import type { Redis } from 'ioredis';
import { handOverScript, heartbeatScript, releaseScript } from './partition-scripts.js';

export interface PartitionLeaseParts {
  connection: Redis;
  workerId: string;
  /** One lease key per partition, in the order partitions are taken. */
  leaseKeys: readonly string[];
  /** The most partitions given back in one beat: one slice through the pipeline (a partition per operator), or 0. */
  sliceSize: number;
  aliveKey: string;
  workersKey: string;
  takersKey: string;
  leaseMs: number;
  heartbeatMs: number;
  logger: Logger;
  /** The worker now owns partition `index` (of `leaseKeys`). */
  gained(index: number): Promise<void>;
  /** The worker no longer owns partition `index` (or gives it back): stop taking its batches, close its instance. */
  lost(index: number): Promise<void>;
}

const FIRST_TAKE_MS = 100;

export class PartitionLeases {
  private readonly held = new Set<number>();
  /** Partitions being given back: renewed until their instance has closed, then released. */
  private readonly leaving = new Set<number>();
  private readonly handOvers = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  private stopped = false;
  /** `performance.now()` when the last beat that succeeded was sent: its leases run at least `leaseMs` from then. */
  private confirmedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly parts: PartitionLeaseParts) {}

  /** Announces the worker; partitions are taken from the next beat on. */
  async start(): Promise<void> {
    await this.beat(false);
    this.schedule(Math.min(FIRST_TAKE_MS, this.parts.heartbeatMs));
  }

  /**
   * Stops the heartbeat, letting a beat and hand-overs in progress finish; the leases stay until they expire or
   * `release()`.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.beating;
    await Promise.all(this.handOvers);
  }

  /** Releases every lease this worker holds, and its heartbeat. */
  async release(): Promise<void> {
    const { connection, aliveKey, takersKey, leaseKeys, workerId } = this.parts;
    await releaseScript.run(connection, [aliveKey, takersKey, ...leaseKeys], [workerId]);
    this.held.clear();
  }

  /**
   * Whether this worker certainly still owns partition `index`: it held it at the last beat and that beat's
   * renewal has at least a heartbeat to run. When not certain, ask Redis. (A commit checks the lease anyway.)
   */
  holdsSurely(index: number): boolean {
    return this.held.has(index) && performance.now() < this.confirmedAt + this.parts.leaseMs - this.parts.heartbeatMs;
  }

  /** Forgets a partition at once (its commit was refused), without waiting for the next beat. */
  async drop(index: number): Promise<void> {
    if (!this.held.delete(index)) return;
    await this.parts.lost(index);
  }

  private schedule(delayMs = this.parts.heartbeatMs): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.beating = this.beat(true)
        .catch((error) => this.parts.logger.warn({ err: error }, 'partition heartbeat failed'))
        .finally(() => this.schedule());
    }, delayMs);
  }

  private async beat(take: boolean): Promise<void> {
    const { connection, aliveKey, workersKey, takersKey, leaseKeys, sliceSize, workerId, leaseMs } = this.parts;
    const sentAt = performance.now();
    const leaving = [...this.leaving].map((index) => index + 1);
    const [positions, given] = (await heartbeatScript.run(
      connection,
      [aliveKey, workersKey, takersKey, ...leaseKeys],
      [workerId, leaseMs, take ? '1' : '0', sliceSize, ...leaving],
    )) as [number[], number[]];
    const renewed = new Set(positions.filter((position) => position > 0).map((position) => position - 1));
    const taken = positions.filter((position) => position < 0).map((position) => -position - 1);
    this.confirmedAt = sentAt;
    for (const position of given) this.handOver(position - 1);
    for (const index of [...this.held]) {
      if (renewed.has(index)) continue;
      this.held.delete(index);
      this.parts.logger.warn({ partition: leaseKeys[index] }, 'lease lost: another worker owns the partition now');
      await this.parts.lost(index);
    }
    for (const index of taken) {
      if (this.stopped) continue;
      this.held.add(index);
      await this.parts.gained(index);
    }
  }

  /**
   * Gives partition `index` back without waiting for it in the beat (its batch in progress may take a while):
   * closes it here while the beats renew its lease, then deletes the lease if it is still this worker's.
   */
  private handOver(index: number): void {
    const { connection, leaseKeys, workerId, logger } = this.parts;
    if (!this.held.delete(index)) return;
    this.leaving.add(index);
    logger.info({ partition: leaseKeys[index] }, 'giving the partition back to balance the workers');
    const done = this.parts
      .lost(index)
      .catch((error) => logger.warn({ err: error, partition: leaseKeys[index] }, 'partition did not close cleanly'))
      // Released even so: the batch in progress has finished or failed, and the commit checks the lease anyway.
      .then(() => handOverScript.run(connection, [leaseKeys[index]!], [workerId]))
      .catch((error) => logger.warn({ err: error, partition: leaseKeys[index] }, 'could not give the partition back'))
      .finally(() => {
        this.leaving.delete(index);
        this.handOvers.delete(done);
      });
    this.handOvers.add(done);
  }
}
