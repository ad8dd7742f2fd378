/**
 * The benchmark's stages, shared by every contender: records carry their creation time (ms since the epoch,
 * sub-millisecond) so the sink can measure add-to-done latency.
 */
import { type BaseEnvironment, BatchFunction, SinkFunction } from '@sage/kernel';
import { Redis } from 'ioredis';

export interface RawRecord {
  id: number;
  payload: string;
  created: number;
  /** False for the warm-up records of a light-load run: the sink does not sample them. */
  measured: boolean;
}

export interface Enriched {
  id: number;
  user: string;
  amount: number;
  tag: string;
  created: number;
  measured: boolean;
}

export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function makeRecord(id: number, measured = true): RawRecord {
  return { id, payload: JSON.stringify({ user: `u${id % 100}`, amount: id % 1000 }), created: now(), measured };
}

/** map: parse the payload and enrich it. */
export function parseEnrich(record: RawRecord): Enriched {
  const { user, amount } = JSON.parse(record.payload) as { user: string; amount: number };
  return { id: record.id, user, amount, tag: amount >= 500 ? 'large' : 'small', created: record.created, measured: record.measured };
}

/** filter: keeps 3 records in 4. */
export function keep(record: Enriched): boolean {
  return record.id % 4 !== 0;
}

/** How many of the ids from..to-1 pass the filter. */
export function survivors(to: number, from = 0): number {
  return to - Math.ceil(to / 4) - (from - Math.ceil(from / 4));
}

/** Where each run's sink writes its latency samples (one list entry per record, ms). */
export function latencyKey(prefix: string): string {
  return `${prefix}:latency`;
}

/**
 * Emits `count` records, paced at `rate` records/s when rate > 0; each is stamped when emitted. The first
 * `warmup` records are not sampled, so a light-load run measures the pipeline once its workers run it.
 */
export class PacedSource extends BatchFunction<RawRecord, { count: number; rate: number; warmup: number }> {
  private next = 0;
  private start = 0;

  override async execute(): Promise<RawRecord | undefined> {
    const { count, rate } = this.config;
    if (this.next >= count) return undefined;
    if (rate > 0) {
      if (this.next === 0) this.start = now();
      const due = this.start + (this.next * 1000) / rate;
      const wait = due - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const id = this.next++;
    return makeRecord(id, id >= this.config.warmup);
  }
}

/** Keeps the latencies in memory and writes them in close(), so the measured path has no extra Redis call. */
export class LatencySink extends SinkFunction<Enriched, { redis: string; key: string }> {
  private readonly samples: number[] = [];

  override execute(record: Enriched): void {
    if (record.measured) this.samples.push(now() - record.created);
  }

  override async close(): Promise<void> {
    if (this.samples.length === 0) return;
    const client = new Redis(this.config.redis);
    try {
      for (let i = 0; i < this.samples.length; i += 5_000) {
        await client.rpush(this.config.key, ...this.samples.slice(i, i + 5_000).map((ms) => ms.toFixed(3)));
      }
    } finally {
      await client.quit();
    }
  }
}

/** source -> map (parallelism 2) -> filter (parallelism 2) -> sink, the same graph locally and on workers. */
export function buildPipeline(env: BaseEnvironment, settings: PipelineSettings): void {
  env
    .fromBatch(PacedSource, { count: settings.count, rate: settings.rate, warmup: settings.warmup }, { name: 'source' })
    .map(parseEnrich, { name: 'parse-enrich', parallelism: 2 })
    .filter(keep, { name: 'keep', parallelism: 2 })
    .sink(LatencySink, { redis: settings.redis, key: latencyKey(settings.prefix) }, { name: 'latency', parallelism: 2 });
}

/** What run.ts hands to the pipeline module and the worker processes, through the environment. */
export interface PipelineSettings {
  redis: string;
  prefix: string;
  count: number;
  rate: number;
  warmup: number;
}

export function settingsFromEnv(): PipelineSettings {
  const prefix = process.env.BENCH_DIST_PREFIX;
  if (prefix === undefined) throw new Error('BENCH_DIST_PREFIX is not set: start this through bench/distributed/run.ts');
  return {
    redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix,
    count: Number(process.env.BENCH_DIST_COUNT ?? '0'),
    rate: Number(process.env.BENCH_DIST_RATE ?? '0'),
    warmup: Number(process.env.BENCH_DIST_WARMUP ?? '0'),
  };
}
