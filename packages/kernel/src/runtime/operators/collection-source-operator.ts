import type { OperatorSetup } from '../stream-operator.js';
import { EXHAUSTED, type Pulled, SourceOperator, YIELD_EVERY_MS, yieldToEventLoop } from './source-operator.js';

/**
 * A bounded source over an array, iterable or async iterable. With parallelism p, instance i emits the
 * elements at positions i, i + p, i + 2p, …, so every element is emitted exactly once.
 */
export class CollectionSourceOperator extends SourceOperator {
  private iterator: Iterator<unknown> | AsyncIterator<unknown> | undefined;
  private position = 0;
  private readonly index: number;
  private readonly step: number;

  constructor(setup: OperatorSetup, private readonly collection: Iterable<unknown> | AsyncIterable<unknown>) {
    super(setup);
    this.index = setup.ctx.parallelIndex;
    this.step = setup.ctx.parallelism;
  }

  override async run(stop: Parameters<SourceOperator['run']>[0]): Promise<void> {
    if (!Array.isArray(this.collection)) return super.run(stop);
    // Arrays skip the per-record pull: emit slices straight into the output.
    const { output, batchSize, clock } = this.setup;
    const items = this.collection as unknown[];
    let sliceStart = clock.now();
    // Like the pull loop, give timers and signals a turn now and then (stop() must work on a huge array).
    const pause = async () => {
      await output.flush();
      if (clock.now() - sliceStart >= YIELD_EVERY_MS) {
        await yieldToEventLoop();
        sliceStart = clock.now();
      }
    };
    if (this.step === 1) {
      for (let start = 0; start < items.length && !stop.stopped; start += batchSize) {
        output.emitAll(items.slice(start, start + batchSize));
        await pause();
      }
    } else {
      const chunk: unknown[] = [];
      for (let i = this.index; i < items.length && !stop.stopped; i += this.step) {
        chunk.push(items[i]);
        if (chunk.length === batchSize) {
          output.emitAll(chunk.splice(0));
          await pause();
        }
      }
      output.emitAll(chunk);
    }
    this.setup.metrics.recordsOut = output.recordsOut;
  }

  protected pull(): Pulled | Promise<Pulled> {
    if (this.iterator === undefined) {
      const source = this.collection as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
      this.iterator = source[Symbol.asyncIterator]?.() ?? source[Symbol.iterator]!();
    }
    const step = this.iterator.next();
    if (step instanceof Promise) return step.then((result) => this.take(result));
    return this.take(step as IteratorResult<unknown>);
  }

  private take(result: IteratorResult<unknown>): Pulled | Promise<Pulled> {
    if (result.done) return EXHAUSTED;
    if (this.position++ % this.step === this.index) return result.value;
    return this.pull();
  }

  override async close(): Promise<void> {
    await this.iterator?.return?.();
  }
}
