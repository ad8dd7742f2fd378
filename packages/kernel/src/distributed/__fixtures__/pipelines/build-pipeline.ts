/**
 * The test pipeline of the remote-environment tests, built the same way in a LocalEnvironment and a
 * RemoteEnvironment: source -> map (parallelism 2) -> filter (parallelism 2) -> sink, whose sink appends
 * every record's id to a Redis list so that a test can check that each arrived exactly once.
 */
import type { Redis } from 'ioredis';
import type { DataStream } from '../../../api/data-stream.js';
import type { BaseEnvironment } from '../../../api/environment.js';
import { SinkFunction, SourceFunction } from '../../../api/functions.js';
import { connectRedis } from '../../redis-connection.js';

export const RECORD_COUNT = 10_000;

/** Set by the test for itself and the worker processes it spawns. */
export function fixtureSettings(): { redis: string; prefix: string } {
  return { redis: process.env.SAGE_TEST_REDIS ?? 'redis://127.0.0.1:6379', prefix: process.env.SAGE_TEST_PREFIX ?? 'sage-test:remote' };
}

/** About one record per millisecond, so that the sink list grows while the test watches. */
export class Counter extends SourceFunction<Word> {
  private next = 0;

  override async execute(): Promise<Word> {
    if (this.next % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const id = this.next++;
    return { id, word: `w${id % 7}` };
  }
}

export interface Word {
  id: number;
  word: string;
  length?: number;
}

/** Appends each record's id to a list; ids are written in batches of what one call delivers. */
class RedisListSink extends SinkFunction<Word, { key: string }> {
  private client: Redis | undefined;

  override async open(): Promise<void> {
    this.client = await connectRedis(fixtureSettings().redis);
  }

  override async execute(record: Word): Promise<void> {
    await this.client!.rpush(this.config.key, String(record.id));
  }

  override async close(): Promise<void> {
    await this.client?.quit();
  }
}

export function buildPipeline(env: BaseEnvironment, options: { sinkKey: string; failOn?: number }): void {
  const records = Array.from({ length: RECORD_COUNT }, (_, id): Word => ({ id, word: `w${id % 7}` }));
  const stream = env
    .fromBatch(records, { name: 'words' })
    .map(
      (record: Word) => {
        if (record.id === options.failOn) throw new Error(`cannot measure ${record.word}`);
        return { ...record, length: record.word.length } as Word;
      },
      { name: 'measure', parallelism: 2 },
    )
    .filter((record: Word) => record.id % 3 !== 0, { name: 'drop-thirds', parallelism: 2 });
  buildSink(stream, options.sinkKey);
}

export function buildSink(stream: DataStream<Word>, key: string): void {
  stream.sink(RedisListSink, { key }, { name: 'store' });
}
