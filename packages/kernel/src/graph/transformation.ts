import type { ResolvedOptions } from '../api/operator-options.js';
import type { SourceOperator } from '../runtime/operators/source-operator.js';
import type { KeySelector, OperatorSetup, StreamOperator } from '../runtime/stream-operator.js';

/** How records cross an edge; `auto` becomes `forward` for equal parallelism, `rebalance` otherwise. */
export type EdgeStrategy = 'auto' | 'forward' | 'rebalance' | 'hash' | 'broadcast' | 'roundRobin';

/** An input of a transformation: where records come from and how they are spread. */
export interface TransformationInput {
  from: Transformation;
  /** Consume this side output of `from` instead of its main output. */
  sideTag?: string;
  strategy: EdgeStrategy;
  /** The key of each record, for keyed inputs (hash, broadcast and roundRobin keyBy strategies). */
  keySelector?: KeySelector;
  /** Position in a connected-streams operator (0 for one-input operators). */
  inputIndex: number;
}

export type TransformationKind = 'source' | 'operator' | 'sink' | 'future';

/**
 * A node of the logical graph the API builds: a shape (source, operator with N inputs, sink, future), the
 * options it was declared with, and a factory for its runtime instances.
 */
export interface Transformation {
  /** Deterministic: position in the job plus name, so every process that builds the job agrees. */
  readonly id: string;
  readonly kind: TransformationKind;
  /** The API call that made it (`map`, `filter`, …), for metrics and messages. */
  readonly operation: string;
  readonly options: ResolvedOptions;
  readonly inputs: TransformationInput[];
  /** Number of inputs the operator distinguishes (connected streams); 1 otherwise. */
  readonly inputArity: number;
  readonly createOperator?: (setup: OperatorSetup) => StreamOperator;
  readonly createSource?: (setup: OperatorSetup) => SourceOperator;
}
