import { Readable, Transform, type TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Counted, keep, keyOf, project, type Rec, type SyncOutcome, type Tagged, Tally } from '../workload.js';

/** Node object-mode streams: Readable.from -> three Transforms -> Writable, joined by pipeline(). */
export async function runNodeStreams(records: readonly Rec[]): Promise<SyncOutcome> {
  const counts = new Map<string, number>();
  const tally = new Tally();
  await pipeline(
    Readable.from(records),
    new Transform({
      objectMode: true,
      transform(record: Rec, _encoding: BufferEncoding, done: TransformCallback) {
        done(null, project(record));
      },
    }),
    new Transform({
      objectMode: true,
      transform(tagged: Tagged, _encoding: BufferEncoding, done: TransformCallback) {
        if (keep(tagged)) done(null, tagged);
        else done();
      },
    }),
    new Transform({
      objectMode: true,
      transform(tagged: Tagged, _encoding: BufferEncoding, done: TransformCallback) {
        const key = keyOf(tagged);
        const count = (counts.get(key) ?? 0) + 1;
        counts.set(key, count);
        done(null, { key, count } satisfies Counted);
      },
    }),
    new Writable({
      objectMode: true,
      write(c: Counted, _encoding: BufferEncoding, done: (error?: Error | null) => void) {
        tally.add(c);
        done();
      },
    }),
  );
  return tally;
}
