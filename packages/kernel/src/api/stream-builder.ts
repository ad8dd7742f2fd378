import type { JobGraph } from '../graph/job-graph.js';
import type { Transformation, TransformationInput, TransformationKind } from '../graph/transformation.js';
import type { ConnectedStreams } from './connected-streams.js';
import type { DataStream } from './data-stream.js';
import type { KeyedStream } from './keyed-stream.js';
import type { KeyStrategy, OperatorOptions } from './operator-options.js';
import type { WindowedStream, WindowSettings } from './windowed-stream.js';

/**
 * What streams need from their environment to grow the graph. It also creates keyed and connected streams,
 * which keeps `data-stream.ts` free of runtime imports of its own subclasses.
 */
export interface StreamBuilder {
  readonly graph: JobGraph;
  addTransformation(
    operation: string,
    kind: TransformationKind,
    options: OperatorOptions | undefined,
    inputs: TransformationInput[],
    factories: Pick<Transformation, 'createOperator' | 'createSource'>,
    inputArity?: number,
  ): Transformation;
  keyedStream<T, K>(stream: DataStream<T>, selector: (record: T) => K, strategy: KeyStrategy): KeyedStream<T, K>;
  connectedStreams(streams: DataStream<any>[]): ConnectedStreams;
  windowedStream<T, K>(input: TransformationInput, settings: WindowSettings): WindowedStream<T, K, any>;
}
