import type { TransformationInput } from '../graph/transformation.js';
import { countWindow, type WindowAssigner, type WindowSpec } from '../windowing/assigners.js';
import type { GlobalWindow, Window } from '../windowing/window.js';
import { DataStream, windowSettings } from './data-stream.js';
import type { KeyStrategy } from './operator-options.js';
import type { StreamBuilder } from './stream-builder.js';
import type { WindowedStream } from './windowed-stream.js';

/**
 * A stream partitioned by key (made by `keyBy`). The next operator sees records of one key on one
 * instance, in order, and its `this.ctx.state` and `this.ctx.getKey()` refer to the record's key.
 */
export class KeyedStream<T = unknown, K = unknown> extends DataStream<T> {
  /** @internal */
  constructor(
    builder: StreamBuilder,
    source: DataStream<T>,
    /** @internal */ readonly keySelector: (record: T) => K,
    /** @internal */ readonly strategy: KeyStrategy,
  ) {
    super(builder, source.transformation, source.sideTag);
  }

  /**
   * Cuts each key's records into windows (`TumblingEventTimeWindows.of(ms)`, `EventTimeSessionWindows.withGap(ms)`,
   * `GlobalWindows.create()` with a trigger, …). Experimental.
   */
  window<W extends Window>(assigner: WindowAssigner<W> | WindowSpec<W>): WindowedStream<T, K, W> {
    return this.builder.windowedStream(this.inputFor(0), windowSettings(`window after "${this.name}"`, 'window', assigner, false));
  }

  /** `countWindow(n)` fires every `n` records per key; `countWindow(n, slide)` every `slide` over the last `n`. */
  countWindow(size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
    return this.window(countWindow(size, slide));
  }

  /** @internal */
  override inputFor(inputIndex: number): TransformationInput {
    return {
      from: this.transformation,
      sideTag: this.sideTag,
      strategy: this.strategy,
      keySelector: this.keySelector as (record: unknown) => unknown,
      inputIndex,
    };
  }
}
