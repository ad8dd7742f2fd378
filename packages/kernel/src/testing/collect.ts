import type { DataStream } from '../api/data-stream.js';
import type { OperatorOptions } from '../api/operator-options.js';

/** Attaches a sink that appends every record of `stream` to the returned array (filled as the job runs). */
export function collect<T>(stream: DataStream<T>, options?: OperatorOptions): T[] {
  const records: T[] = [];
  stream.sink((record) => {
    records.push(record);
  }, options);
  return records;
}
