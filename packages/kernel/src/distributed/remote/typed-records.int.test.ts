/**
 * Typed arrays in records and keyed state on workers: embeddings cross two queues and a keyed running sum
 * (a Float32Array in `ctx.state`) is committed to Redis with each batch; both arrive as typed arrays.
 */
import { describe, expect, it } from 'vitest';
import type { JobResult } from '../../runtime/job-result.js';
import { workerCluster } from '../__fixtures__/worker-cluster.js';

const cluster = workerCluster('typed-records');

describe('typed arrays on two worker processes', () => {
  it('carries Float32Array embeddings in records and in keyed state; per-document sums equal a plain computation', async () => {
    const { result, vectorSinkKey, VECTOR_RECORD_COUNT, DOCUMENT_COUNT, embed } = (await import('../__fixtures__/pipelines/vector-records.js')) as {
      result: JobResult;
      vectorSinkKey: string;
      VECTOR_RECORD_COUNT: number;
      DOCUMENT_COUNT: number;
      embed: (id: number) => Float32Array;
    };
    expect(result.status).toBe('finished');
    const written = await cluster.admin.hgetall(vectorSinkKey);
    expect(Object.keys(written)).toHaveLength(VECTOR_RECORD_COUNT);
    const last = new Map<string, { count: number; sum: string }>();
    for (const value of Object.values(written)) {
      const [doc, count, sum] = value.split(':');
      expect(count, `vectors of ${doc} arrived typed`).not.toBe('not-typed');
      if (Number(count) > (last.get(doc!)?.count ?? 0)) last.set(doc!, { count: Number(count), sum: sum! });
    }
    expect(last.size).toBe(DOCUMENT_COUNT);
    for (let d = 0; d < DOCUMENT_COUNT; d++) {
      const ids = Array.from({ length: VECTOR_RECORD_COUNT }, (_, id) => id).filter((id) => id % DOCUMENT_COUNT === d);
      // Summed in float32 in the same order as the worker is not guaranteed (two upstream instances), so compare
      // with a tolerance.
      const expected = ids.reduce((sum, id) => sum.map((value, i) => value + embed(id)[i]!), [0, 0, 0, 0]);
      const got = last.get(`d${d}`)!;
      expect(got.count).toBe(ids.length);
      for (const [i, value] of got.sum.split(',').entries()) expect(Number(value)).toBeCloseTo(expected[i]!, 0);
    }
  }, 60_000);
});
