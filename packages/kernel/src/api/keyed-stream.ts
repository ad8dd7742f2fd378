import type { TransformationInput } from '../graph/transformation.js';
import { DataStream } from './data-stream.js';
import type { KeyStrategy } from './operator-options.js';
import type { StreamBuilder } from './stream-builder.js';

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
