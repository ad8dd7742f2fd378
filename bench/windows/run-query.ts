import { type DataStream, type EndOfStream, type EnvironmentConfig, LocalEnvironment, type WindowOperatorCallOptions, WatermarkStrategy } from '@sage/kernel';
import { type Bid, isBid, type NexmarkEvent } from './nexmark.js';
import type { QueryDefinition } from './queries.js';

/** Nexmark's watermark: the newest event time seen minus 4 s. */
export const OUT_OF_ORDERNESS_MS = 4_000;

export interface QueryRun<R> {
  query: QueryDefinition<R>;
  /** An array, or a source function (the paced source of the latency run). */
  source: readonly NexmarkEvent[] | (() => NexmarkEvent | EndOfStream | Promise<NexmarkEvent | EndOfStream>);
  /** Options of the query's window operators (`engine`). */
  windowOptions?: WindowOperatorCallOptions;
  environment?: EnvironmentConfig;
  /** Called with every result as the sink receives it. */
  onResult(result: R): void;
}

/**
 * One query as a SAGE job in a LocalEnvironment, as Nexmark runs them: every event gets its timestamp and the
 * bounded-out-of-orderness watermark, the bids are selected, the query runs, a sink takes the results.
 * Resolves when the job has ended.
 */
export async function runQuery<R>(run: QueryRun<R>): Promise<void> {
  const env = new LocalEnvironment(`nexmark-${run.query.id}`, { handleSignals: false, ...run.environment });
  const { source } = run;
  const events: DataStream<NexmarkEvent> = typeof source === 'function' ? env.fromSource<NexmarkEvent>(source) : env.fromBatch(source);
  const bids = events
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(OUT_OF_ORDERNESS_MS).withTimestampAssigner((event) => event.dateTime))
    .filter(isBid) as DataStream<NexmarkEvent> as unknown as DataStream<Bid>;
  run.query.build(bids, run.windowOptions ?? {}).sink((result: R) => run.onResult(result));
  await env.submit({ autostop: true });
}

/** Runs a query over `events` and returns its results. */
export async function collectResults<R>(query: QueryDefinition<R>, events: readonly NexmarkEvent[], windowOptions?: WindowOperatorCallOptions, environment?: EnvironmentConfig): Promise<R[]> {
  const results: R[] = [];
  await runQuery({ query, source: events, windowOptions, environment, onResult: (result) => results.push(result) });
  return results;
}
