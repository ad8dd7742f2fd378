import { StreamOperator } from '../stream-operator.js';

/** Forwards every record unchanged: the body of a future (feedback) stream. */
export class PassThroughOperator extends StreamOperator {
  processBatch(records: unknown[]): void {
    this.setup.metrics.recordsIn += records.length;
    this.setup.metrics.batchesIn++;
    this.setup.output.emitAll(records);
  }
}
