import { SimilarityJoinOperator, type SimilarityJoinSpec } from '../../windowing/similarity-join.js';
import { type OperatorSetup, StreamOperator } from '../stream-operator.js';

/** Runs a `SimilarityJoinOperator` in a task: input 0 is the left stream, input 1 the right one. */
export class SimilarityJoinStreamOperator extends StreamOperator {
  private readonly join: SimilarityJoinOperator<unknown, unknown>;

  constructor(setup: OperatorSetup, spec: SimilarityJoinSpec) {
    super(setup);
    this.join = new SimilarityJoinOperator({
      ...spec,
      name: setup.options.name,
      output: { collect: (pair, timestamp) => setup.output.emitTimestamped(pair, timestamp) },
    });
    setup.metrics.lateRecordsDropped = 0;
  }

  processBatch(records: unknown[], input: number, timestamps?: number[]): void {
    const { metrics } = this.setup;
    metrics.recordsIn += records.length;
    metrics.batchesIn++;
    try {
      this.join.processBatch(input === 0 ? 0 : 1, records, timestamps);
    } finally {
      metrics.lateRecordsDropped = this.join.numLateRecordsDropped;
    }
  }

  override processWatermark(watermark: number): void {
    this.join.processWatermark(watermark);
  }

  override finish(): void {
    this.join.endOfInput();
  }
}
