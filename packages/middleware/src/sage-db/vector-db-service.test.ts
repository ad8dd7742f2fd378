import { LocalEnvironment, MapFunction } from '@sage/kernel';
import { collect } from '@sage/kernel/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from './__fixtures__/vectors.js';
import type { Hit } from './types.js';
import { VectorDBService } from './vector-db-service.js';

describe('VectorDBService', () => {
  let directory: ReturnType<typeof temporaryDirectory>;
  beforeEach(() => {
    directory = temporaryDirectory();
  });
  afterEach(() => directory.remove());

  it('serves a collection to operators: upsert, then search by default method', async () => {
    class Index extends MapFunction<{ id: string; vector: number[] }, string[]> {
      execute(record: { id: string; vector: number[] }) {
        return this.callService<string[]>('vectors', { method: 'upsert', args: [[record]] });
      }
    }
    class Nearest extends MapFunction<number[], string> {
      async execute(vector: number[]) {
        const hits = await this.callService<Hit[]>('vectors', { args: [vector, { k: 1 }] });
        return hits[0]!.id;
      }
    }
    const config = { path: directory.path, collection: 'points', create: { dimension: 2, metric: 'l2' as const }, backend: 'exact' as const };
    const indexing = new LocalEnvironment('index', { logLevel: 'silent', handleSignals: false });
    indexing.registerService('vectors', VectorDBService, config);
    collect(indexing.fromBatch([{ id: 'origin', vector: [0, 0] }, { id: 'far', vector: [9, 9] }]).map(Index));
    await indexing.submit({ autostop: true });

    const querying = new LocalEnvironment('query', { logLevel: 'silent', handleSignals: false });
    querying.registerService('vectors', VectorDBService, config);
    const nearest = collect(querying.fromBatch([[1, 1], [8, 7]]).map(Nearest));
    await querying.submit({ autostop: true });
    expect(nearest).toEqual(['origin', 'far']);
  });

  it('fails to start with a clear error when the collection does not exist', async () => {
    const env = new LocalEnvironment('missing', { logLevel: 'silent', handleSignals: false });
    env.registerService('vectors', VectorDBService, { path: directory.path, collection: 'nope', backend: 'exact' });
    collect(env.fromBatch([1]));
    await expect(env.submit({ autostop: true })).rejects.toThrow(/collection "nope" does not exist/);
  });
});
