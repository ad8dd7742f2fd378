import { DataStream, type StreamSink } from '../api/data-stream.js';
import type { EnvironmentConfig } from '../api/environment.js';
import { isFunctionClass } from '../api/functions.js';
import { LocalEnvironment } from '../api/local-environment.js';
import type { OperatorOptions } from '../api/operator-options.js';
import type { JobResult } from '../runtime/job-result.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import type { DeadLetter } from '../runtime/stream-operator.js';
import type { ServiceClass } from '../services/base-service.js';
import { collect } from './collect.js';

export type HarnessOperation = 'map' | 'flatMap' | 'filter' | 'sink';

export interface HarnessInput<In> {
  /** The records fed to the operator, in order. */
  records: Iterable<In> | AsyncIterable<In>;
  /** Config object for a function class. */
  config?: unknown;
  options?: OperatorOptions;
  /** Key the input first, so the operator can use keyed state. */
  keyBy?: (record: In) => unknown;
  services?: Record<string, { serviceClass: ServiceClass; config?: unknown }>;
  environment?: EnvironmentConfig;
}

export interface HarnessOutput<Out> {
  /** What the operator emitted (in order for parallelism 1). */
  output: Out[];
  /** Records skipped under `onError: 'skip'`. */
  deadLetters: DeadLetter[];
  metrics: OperatorMetrics;
  result: JobResult;
}

/**
 * Runs one operator (a function class or plain function) over the given records on the real local runtime
 * and returns what it emitted: for unit tests of user functions and libraries.
 *
 * ```ts
 * const { output } = await runOperator('map', Upper, { records: ['a', 'b'] });
 * ```
 */
export async function runOperator<In = any, Out = any>(
  operation: HarnessOperation,
  fn: unknown,
  input: HarnessInput<In>,
): Promise<HarnessOutput<Out>> {
  const env = new LocalEnvironment('operator-harness', { logLevel: 'warn', handleSignals: false, ...input.environment });
  for (const [name, service] of Object.entries(input.services ?? {})) {
    env.registerService(name, service.serviceClass, service.config);
  }
  let stream: DataStream<any> = env.fromBatch(input.records as Iterable<In>);
  if (input.keyBy) stream = stream.keyBy(input.keyBy);
  const name = input.options?.name ?? 'under_test';
  const options = { ...input.options, name };
  const apply = stream[operation] as (...args: unknown[]) => unknown;
  const applied = (isFunctionClass(fn) ? apply.call(stream, fn, input.config, options) : apply.call(stream, fn, options)) as
    | DataStream<Out>
    | StreamSink;
  const output = applied instanceof DataStream ? collect(applied) : [];
  const deadLetters = collect(applied.deadLetters() as DataStream<DeadLetter>);
  const result = await env.submit({ autostop: true });
  return { output, deadLetters, metrics: result.operators[name]!, result };
}
