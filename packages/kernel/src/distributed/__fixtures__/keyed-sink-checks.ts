/**
 * Checks of the keyed test pipeline's sink for end-to-end tests (build-keyed-pipeline.ts): every record once,
 * per-key counts exactly 1..n, metrics equal to the record count.
 */
import type { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { JobResult } from '../../runtime/job-result.js';
import { KEY_COUNT, KEYED_RECORD_COUNT, keyedSinkKey } from './pipelines/build-keyed-pipeline.js';

/** From the sink hash (`id` -> `key:count`): the ids written and, per key, the counts seen, sorted. */
export async function readKeyedSink(admin: Redis, name: string): Promise<{ ids: number[]; counts: Map<string, number[]> }> {
  const fields = await admin.hgetall(keyedSinkKey(name));
  const counts = new Map<string, number[]>();
  for (const value of Object.values(fields)) {
    const [key, count] = value.split(':');
    const list = counts.get(key!) ?? [];
    list.push(Number(count));
    counts.set(key!, list);
  }
  for (const list of counts.values()) list.sort((a, b) => a - b);
  return { ids: Object.keys(fields).map(Number).sort((a, b) => a - b), counts };
}

/** Every record once; per key the counts are exactly 1..n (no increment lost or applied twice), n as expected. */
export async function expectKeyedExactlyOnce(admin: Redis, name: string, result: JobResult, expectedCounts: ReadonlyMap<string, number>): Promise<void> {
  expect(result.status).toBe('finished');
  const { ids, counts } = await readKeyedSink(admin, name);
  expect(ids.length).toBe(KEYED_RECORD_COUNT);
  expect(ids[0]).toBe(0);
  expect(ids.at(-1)).toBe(KEYED_RECORD_COUNT - 1);
  expect(counts.size).toBe(KEY_COUNT);
  for (const [key, list] of counts) {
    expect(list.length, `records of ${key}`).toBe(expectedCounts.get(key));
    expect(list.every((count, index) => count === index + 1), `counts of ${key} are 1..${list.length}`).toBe(true);
  }
  expect(result.operators.count).toMatchObject({ recordsIn: KEYED_RECORD_COUNT, recordsOut: KEYED_RECORD_COUNT });
  expect(result.operators.store).toMatchObject({ recordsIn: KEYED_RECORD_COUNT });
}
