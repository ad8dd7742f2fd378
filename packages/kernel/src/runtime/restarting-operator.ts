import { sleep } from './clock.js';
import type { RestartBackoff, RestartStrategy } from './restart-strategy.js';
import { type DurableChange, type OperatorSetup, StreamOperator } from './stream-operator.js';
import { unhandledRecords } from './user-function-operator.js';

/**
 * Wraps an operator instance with a restart strategy. When its function fails on a record under
 * `onError: 'fail'`, the strategy decides: fail the job (the error goes on as without a strategy), or close the
 * instance, wait, make a fresh one (a new function instance on the same context, so keyed state is kept), open
 * it and process the records of the batch whose results were not handed on yet, starting with the failed one.
 * Records handed on before the failure are not processed again, so with a deterministic function each record
 * is emitted once; with `concurrency` > 1 the other records in flight at the failure are called again.
 */
export class RestartingOperator extends StreamOperator {
  private operator: StreamOperator;
  private readonly backoff: RestartBackoff;
  override readonly forwardsWatermarks: boolean;

  constructor(
    setup: OperatorSetup,
    private readonly create: () => StreamOperator,
    strategy: RestartStrategy,
  ) {
    super(setup);
    this.operator = create();
    this.forwardsWatermarks = this.operator.forwardsWatermarks;
    this.backoff = strategy.newBackoff();
  }

  override open(): void | Promise<void> {
    return this.operator.open();
  }

  /** Synchronous batches stay synchronous; only a failure takes the async path. */
  processBatch(records: unknown[], input: number, timestamps?: number[]): void | Promise<void> {
    let processing: void | Promise<void>;
    try {
      processing = this.operator.processBatch(records, input, timestamps);
    } catch (error) {
      return this.recover(error, records, input, timestamps);
    }
    if (processing instanceof Promise) return processing.catch((error: unknown) => this.recover(error, records, input, timestamps));
  }

  override processWatermark(watermark: number): void | Promise<void> {
    return this.operator.processWatermark(watermark);
  }

  override finish(): void | Promise<void> {
    return this.operator.finish();
  }

  override takeDurableChanges(): DurableChange[] {
    return this.operator.takeDurableChanges();
  }

  override restoreDurable(fields: ReadonlyArray<[string, unknown]>, watermark: number): void {
    this.operator.restoreDurable(fields, watermark);
  }

  override close(): void | Promise<void> {
    return this.operator.close();
  }

  private async recover(error: unknown, records: unknown[], input: number, timestamps: number[] | undefined): Promise<void> {
    const unhandled = unhandledRecords(error, records.length);
    if (unhandled === undefined || this.setup.options.onError !== 'fail') throw error;
    await this.restart(error);
    // The retry counts as part of the batch already counted.
    const { metrics } = this.setup;
    metrics.recordsIn -= unhandled.length;
    metrics.batchesIn--;
    const rest = unhandled.map((index) => records[index]);
    await this.processBatch(rest, input, timestamps && unhandled.map((index) => timestamps[index]!));
  }

  /** Replaces the instance with a fresh, open one, or throws `error` when the strategy says the job fails. */
  private async restart(error: unknown): Promise<void> {
    const { clock, ctx, metrics, options } = this.setup;
    let failure = error;
    for (;;) {
      const delayMs = this.backoff.onFailure(clock.now());
      if (delayMs === undefined) {
        ctx.logger.error({ err: failure, restarts: metrics.restarts }, 'operator failed; its restart strategy gives up, the job fails');
        throw failure;
      }
      metrics.restarts++;
      ctx.logger.warn({ err: failure, restart: metrics.restarts, delayMs }, `operator "${options.name}" failed; restarting it`);
      try {
        await this.operator.close();
      } catch (closeError) {
        ctx.logger.warn({ err: closeError }, 'operator failed to close before its restart');
      }
      if (delayMs > 0) await sleep(clock, delayMs);
      this.operator = this.create();
      try {
        await this.operator.open();
        return;
      } catch (openError) {
        // A fresh instance that cannot open is one more failure for the strategy.
        failure = openError;
      }
    }
  }
}

/** The operator of `setup`, wrapped when a restart strategy applies (the operator's own, else the job's). */
export function createOperator(
  create: (setup: OperatorSetup) => StreamOperator,
  setup: OperatorSetup,
  jobStrategy: RestartStrategy | undefined,
): StreamOperator {
  const strategy = setup.options.restart ?? jobStrategy;
  if (strategy === undefined || strategy.kind === 'none') return create(setup);
  return new RestartingOperator(setup, () => create(setup), strategy);
}
