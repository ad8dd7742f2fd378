/**
 * Records holding typed arrays on workers: embeddings made by a map (parallelism 2), summed per document in keyed
 * state (a Float32Array), written by an idempotent sink that checks they arrived as typed arrays.
 */
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { MapFunction, SinkFunction } from '../../../api/functions.js';
import { RemoteEnvironment } from '../../../api/remote-environment.js';
import { connectRedis } from '../../redis-connection.js';
import { fixtureSettings } from './build-pipeline.js';

export const VECTOR_RECORD_COUNT = 2_000;
export const DOCUMENT_COUNT = 7;

interface Embedded {
  id: number;
  doc: string;
  embedding: Float32Array;
}

interface Totalled extends Embedded {
  count: number;
  sum: Float32Array;
}

export function embed(id: number): Float32Array {
  return new Float32Array([id, id % 3, 1, -id / 4]);
}

class SumPerDocument extends MapFunction<Embedded, Totalled> {
  override execute(record: Embedded): Totalled {
    const count = this.ctx.state.value<number>('count', 0);
    const sum = this.ctx.state.value<Float32Array>('sum');
    const next = new Float32Array(record.embedding.length);
    const previous = sum.get();
    for (let i = 0; i < next.length; i++) next[i] = (previous?.[i] ?? 0) + record.embedding[i]!;
    sum.set(next);
    count.set(count.get()! + 1);
    return { ...record, count: count.get()!, sum: next };
  }
}

/** `<id>` -> `<doc>:<count>:<sum>`, or `<doc>:not-typed` when a vector arrived as something else. */
class VectorSink extends SinkFunction<Totalled, { key: string }> {
  private client: Redis | undefined;

  override async open(): Promise<void> {
    this.client = await connectRedis(fixtureSettings().redis, { kind: 'runtime' });
  }

  override async execute(record: Totalled): Promise<void> {
    const typed = record.embedding instanceof Float32Array && record.sum instanceof Float32Array;
    await this.client!.hset(this.config.key, String(record.id), typed ? `${record.doc}:${record.count}:${Array.from(record.sum).join(',')}` : `${record.doc}:not-typed`);
  }

  override async close(): Promise<void> {
    await this.client?.quit();
  }
}

const { redis, prefix } = fixtureSettings();
export const vectorSinkKey = `${prefix}:sink:vectors`;
const env = new RemoteEnvironment('vector-records', { redis, prefix, module: fileURLToPath(import.meta.url), handleSignals: false });
env
  .fromBatch(
    Array.from({ length: VECTOR_RECORD_COUNT }, (_, id) => id),
    { name: 'ids' },
  )
  .map((id: number): Embedded => ({ id, doc: `d${id % DOCUMENT_COUNT}`, embedding: embed(id) }), { name: 'embed', parallelism: 2 })
  .keyBy((record: Embedded) => record.doc)
  .map(SumPerDocument, {}, { name: 'sum', parallelism: 2 })
  .sink(VectorSink, { key: vectorSinkKey }, { name: 'store', parallelism: 2 });
export const result = await env.submit({ autostop: true });
