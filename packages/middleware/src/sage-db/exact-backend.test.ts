import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, ValidationError } from '@sage/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactBackendFactory, IndexFileError } from './exact-backend.js';
import { toBitmap } from './filter/bitmap.js';
import { DEFAULT_INDEX_PARAMS, type Metric } from './types.js';
import type { BackendSettings, VectorIndexBackend } from './vector-index-backend.js';

const settings = (dimension: number, metric: Metric = 'l2'): BackendSettings => ({
  dimension,
  metric,
  kind: 'hnsw',
  params: { ...DEFAULT_INDEX_PARAMS },
});

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

function randomVectors(random: () => number, count: number, dimension: number): Float32Array {
  return Float32Array.from({ length: count * dimension }, () => random() * 2 - 1);
}

/** The reference: score every candidate in float64 from the float32 inputs and sort them all. */
function naiveSearch(data: Float32Array, query: Float32Array, dimension: number, metric: Metric, k: number, candidates: number[]): number[] {
  const unit = (row: Float32Array) => {
    const norm = Math.sqrt(row.reduce((sum, value) => sum + value * value, 0));
    return norm === 0 ? row : row.map((value) => value / norm);
  };
  const q = metric === 'cosine' ? unit(query) : query;
  const scored = candidates.map((label) => {
    const row = data.subarray(label * dimension, (label + 1) * dimension);
    const v = metric === 'cosine' ? unit(row) : row;
    let score = 0;
    for (let i = 0; i < dimension; i++) score += metric === 'l2' ? -((q[i]! - v[i]!) ** 2) : q[i]! * v[i]!;
    return { label, score };
  });
  return scored
    .sort((a, b) => b.score - a.score || a.label - b.label)
    .slice(0, k)
    .map((entry) => entry.label);
}

const range = (count: number) => Array.from({ length: count }, (_, index) => index);

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sage-exact-backend-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('exact backend', () => {
  it('assigns consecutive labels and grows its store across many adds', async () => {
    const backend = exactBackendFactory.create(settings(3));
    expect(backend.kind).toBe('hnsw');
    expect(await backend.add(Float32Array.from([1, 2, 3, 4, 5, 6]))).toBe(0);
    for (let i = 0; i < 100; i++) expect(await backend.add(Float32Array.from([i, i, i]))).toBe(2 + i);
    expect(backend.size).toBe(102);
    expect(backend.nextLabel).toBe(102);
    expect([...backend.vector(1)!]).toEqual([4, 5, 6]);
    expect([...backend.vector(101)!]).toEqual([99, 99, 99]);
    expect(backend.vector(102)).toBeUndefined();
    const copy = backend.vector(0)!;
    copy[0] = 42;
    expect(backend.vector(0)![0]).toBe(1);
  });

  it.each<Metric>(['l2', 'ip', 'cosine'])('finds exactly the top k of a naive sort (%s)', async (metric) => {
    const random = lcg(11);
    const dimension = 7;
    const data = randomVectors(random, 500, dimension);
    const backend = exactBackendFactory.create(settings(dimension, metric));
    await backend.add(data.subarray(0, 200 * dimension));
    await backend.add(data.subarray(200 * dimension));
    const queries = randomVectors(random, 4, dimension);
    for (const k of [1, 10, 499, 500, 1000]) {
      const results = await backend.search(queries, k);
      expect(results).toHaveLength(4);
      results.forEach((result, index) => {
        const query = queries.subarray(index * dimension, (index + 1) * dimension);
        expect([...result.labels]).toEqual(naiveSearch(data, query, dimension, metric, k, range(500)));
        for (let i = 1; i < result.scores.length; i++) expect(result.scores[i]!).toBeLessThanOrEqual(result.scores[i - 1]!);
      });
    }
  });

  it('scores are higher-is-closer: -squared distance, inner product, cosine similarity', async () => {
    const l2 = exactBackendFactory.create(settings(2, 'l2'));
    await l2.add(Float32Array.from([0, 0, 3, 4]));
    const [near] = await l2.search(Float32Array.from([0, 1]), 2);
    expect([...near!.labels]).toEqual([0, 1]);
    expect([...near!.scores]).toEqual([-1, -18]);

    const ip = exactBackendFactory.create(settings(2, 'ip'));
    await ip.add(Float32Array.from([1, 0, 3, 4]));
    const [dot] = await ip.search(Float32Array.from([2, 1]), 2);
    expect([...dot!.labels]).toEqual([1, 0]);
    expect([...dot!.scores]).toEqual([10, 2]);

    const cosine = exactBackendFactory.create(settings(2, 'cosine'));
    await cosine.add(Float32Array.from([3, 4, 10, 0, 0, 0]));
    expect([...cosine.vector(0)!]).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect([...cosine.vector(2)!]).toEqual([0, 0]);
    const [angle] = await cosine.search(Float32Array.from([5, 0]), 3);
    expect([...angle!.labels]).toEqual([1, 0, 2]);
    expect(angle!.scores[0]).toBeCloseTo(1, 6);
    expect(angle!.scores[1]).toBeCloseTo(0.6, 6);
    expect(angle!.scores[2]).toBe(0);
  });

  it('breaks ties by label', async () => {
    const backend = exactBackendFactory.create(settings(2, 'ip'));
    await backend.add(Float32Array.from([1, 1, 0, 0, 1, 1, 1, 1]));
    const [result] = await backend.search(Float32Array.from([1, 1]), 3);
    expect([...result!.labels]).toEqual([0, 2, 3]);
  });

  it('skips removed labels (tombstones) and still returns min(k, live)', async () => {
    const backend = exactBackendFactory.create(settings(1, 'l2'));
    await backend.add(Float32Array.from([0, 1, 2, 3, 4]));
    await backend.remove([1, 3, 3, 99, -1, 2.5]);
    expect(backend.size).toBe(3);
    expect(backend.nextLabel).toBe(5);
    expect(backend.vector(1)).toBeUndefined();
    const [result] = await backend.search(Float32Array.from([1]), 10);
    expect([...result!.labels]).toEqual([0, 2, 4]);
    expect(await backend.add(Float32Array.from([1]))).toBe(5);
    const [again] = await backend.search(Float32Array.from([1]), 2);
    expect([...again!.labels]).toEqual([5, 0]);
  });

  it('searches only the labels an allowed bitmap sets', async () => {
    const random = lcg(5);
    const dimension = 4;
    const data = randomVectors(random, 300, dimension);
    const backend = exactBackendFactory.create(settings(dimension, 'ip'));
    await backend.add(data);
    await backend.remove([0, 5, 10]);
    const allowed = range(300).filter((label) => label % 5 === 0 || label % 7 === 0);
    const live = allowed.filter((label) => ![0, 5, 10].includes(label));
    const queries = randomVectors(random, 3, dimension);
    for (const k of [1, 5, live.length, 400]) {
      const results = await backend.search(queries, k, { allowed: toBitmap(allowed, 300), efSearch: 1, nprobe: 1 });
      results.forEach((result, index) => {
        expect(result.labels).toHaveLength(Math.min(k, live.length));
        expect([...result.labels]).toEqual(naiveSearch(data, queries.subarray(index * dimension, (index + 1) * dimension), dimension, 'ip', k, live));
      });
    }
    // A bitmap shorter than the labels allows none past its end.
    const [short] = await backend.search(queries.subarray(0, dimension), 10, { allowed: toBitmap([1, 2], 8) });
    expect([...short!.labels].sort()).toEqual([1, 2]);
  });

  it('searchSubset scans exactly the given live labels', async () => {
    const random = lcg(9);
    const dimension = 5;
    const data = randomVectors(random, 100, dimension);
    const backend = exactBackendFactory.create(settings(dimension, 'cosine'));
    await backend.add(data);
    await backend.remove([4]);
    const query = randomVectors(random, 1, dimension);
    const subset = Uint32Array.from([2, 4, 9, 17, 40, 41, 77, 150]);
    const [result] = await backend.searchSubset(query, 4, subset);
    expect([...result!.labels]).toEqual(naiveSearch(data, query, dimension, 'cosine', 4, [2, 9, 17, 40, 41, 77]));
    const [unsorted] = await backend.searchSubset(query, 10, Uint32Array.from([77, 2, 77, 9, 2]));
    expect([...unsorted!.labels].sort((a, b) => a - b)).toEqual([2, 9, 77]);
    const [none] = await backend.searchSubset(query, 10, new Uint32Array(0));
    expect(none!.labels).toHaveLength(0);
  });

  it('compact drops tombstones and returns the label remap', async () => {
    const random = lcg(21);
    const dimension = 3;
    const data = randomVectors(random, 50, dimension);
    const backend = exactBackendFactory.create(settings(dimension, 'l2'));
    await backend.add(data);
    const removed = [0, 7, 8, 49];
    await backend.remove(removed);
    const query = randomVectors(random, 1, dimension);
    const [before] = await backend.search(query, 10);
    const remap = await backend.compact();
    expect(remap).toHaveLength(50);
    expect(remap[0]).toBe(-1);
    expect(remap[1]).toBe(0);
    expect(remap[9]).toBe(6);
    expect(remap[49]).toBe(-1);
    expect(backend.size).toBe(46);
    expect(backend.nextLabel).toBe(46);
    const [after] = await backend.search(query, 10);
    expect([...after!.labels]).toEqual([...before!.labels].map((label) => remap[label]));
    expect([...after!.scores]).toEqual([...before!.scores]);
    expect([...backend.vector(6)!]).toEqual([...data.subarray(9 * dimension, 10 * dimension)]);
    expect(await backend.add(Float32Array.from([1, 2, 3]))).toBe(46);
  });

  it('refuses malformed arguments and use after close', async () => {
    expect(() => exactBackendFactory.create(settings(0))).toThrow(ValidationError);
    expect(() => exactBackendFactory.create({ ...settings(2), metric: 'dot' as Metric })).toThrow('metric must be one of');
    const backend = exactBackendFactory.create(settings(2));
    await expect(backend.add(Float32Array.from([1, 2, 3]))).rejects.toThrow('count × 2 floats, got 3 floats');
    await expect(backend.add([1, 2] as unknown as Float32Array)).rejects.toThrow(ValidationError);
    await expect(backend.search(Float32Array.from([1]), 1)).rejects.toThrow(ValidationError);
    await expect(backend.search(Float32Array.from([1, 2]), -1)).rejects.toThrow('k must be a non-negative integer');
    expect(await backend.search(Float32Array.from([1, 2]), 0)).toEqual([{ labels: new Uint32Array(0), scores: new Float32Array(0) }]);
    backend.close();
    await expect(backend.add(Float32Array.from([1, 2]))).rejects.toThrow('used after close()');
    expect(() => backend.vector(0)).toThrow('used after close()');
  });
});

describe('exact backend files', () => {
  async function filled(metric: Metric = 'cosine'): Promise<{ backend: VectorIndexBackend; data: Float32Array }> {
    const data = randomVectors(lcg(33), 64, 6);
    const backend = exactBackendFactory.create(settings(6, metric));
    await backend.add(data);
    await backend.remove([3, 10, 63]);
    return { backend, data };
  }

  it('saves and loads the same state, and keeps working after', async () => {
    const { backend } = await filled();
    const path = join(directory, 'round-trip.vectors');
    await backend.save(path);
    const loaded = await exactBackendFactory.load(path, settings(6, 'cosine'));
    expect(loaded.size).toBe(61);
    expect(loaded.nextLabel).toBe(64);
    expect(loaded.vector(3)).toBeUndefined();
    for (const label of [0, 1, 62]) expect(loaded.vector(label)).toEqual(backend.vector(label));
    const queries = randomVectors(lcg(1), 3, 6);
    expect(await loaded.search(queries, 64)).toEqual(await backend.search(queries, 64));
    expect(await loaded.add(Float32Array.from([1, 0, 0, 0, 0, 0]))).toBe(64);
    await loaded.remove([0]);
    expect(loaded.size).toBe(61);
  });

  it('writes one file in the documented layout, atomically, without leftovers', async () => {
    const { backend } = await filled('l2');
    const path = join(directory, 'layout.vectors');
    await writeFile(path, 'an older file');
    await backend.save(path);
    await backend.save(path);
    expect((await readdir(directory)).filter((name) => name.startsWith('layout'))).toEqual(['layout.vectors']);
    const bytes = await readFile(path);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('SAGEDBJS');
    expect(bytes.readUInt32LE(8)).toBe(1);
    expect(bytes.readUInt32LE(12)).toBe(6);
    expect(bytes.readUInt8(16)).toBe(0);
    expect(bytes.readUInt8(17)).toBe(1);
    expect(bytes.readUInt32LE(20)).toBe(64);
    expect(bytes.readUInt32LE(24)).toBe(61);
    expect(bytes.readDoubleLE(32)).toBe(DEFAULT_INDEX_PARAMS.M);
    expect(bytes.length).toBe(96 + 64 * 6 * 4 + 8 + 4);
    // Removed rows are zeros on disk; the bitmap marks labels 3, 10 and 63.
    expect([...new Float32Array(bytes.buffer.slice(bytes.byteOffset + 96 + 3 * 24, bytes.byteOffset + 96 + 4 * 24))]).toEqual([0, 0, 0, 0, 0, 0]);
    const bitmap = bytes.subarray(96 + 64 * 24, 96 + 64 * 24 + 8);
    expect([...bitmap]).toEqual([0b1000, 0b100, 0, 0, 0, 0, 0, 0b1000_0000]);
    expect(bytes.readUInt32LE(bytes.length - 4)).toBe(crc32(bytes.subarray(0, bytes.length - 4)));
  });

  it('round-trips an empty backend and one saved after compact', async () => {
    const empty = exactBackendFactory.create(settings(4, 'ip'));
    await empty.save(join(directory, 'empty.vectors'));
    const loadedEmpty = await exactBackendFactory.load(join(directory, 'empty.vectors'), settings(4, 'ip'));
    expect(loadedEmpty.size).toBe(0);
    expect(await loadedEmpty.search(new Float32Array(4), 5)).toEqual([{ labels: new Uint32Array(0), scores: new Float32Array(0) }]);

    const { backend } = await filled('ip');
    await backend.compact();
    await backend.save(join(directory, 'compacted.vectors'));
    const loaded = await exactBackendFactory.load(join(directory, 'compacted.vectors'), settings(6, 'ip'));
    expect(loaded.nextLabel).toBe(61);
    const query = randomVectors(lcg(2), 1, 6);
    expect(await loaded.search(query, 61)).toEqual(await backend.search(query, 61));
  });

  it('saves a consistent snapshot while adds and removals continue', async () => {
    const { backend } = await filled('l2');
    const path = join(directory, 'concurrent.vectors');
    const saving = backend.save(path);
    await backend.add(randomVectors(lcg(3), 100, 6));
    await backend.remove([0, 1]);
    await backend.compact();
    await saving;
    const loaded = await exactBackendFactory.load(path, settings(6, 'l2'));
    expect(loaded.size).toBe(61);
    expect(loaded.nextLabel).toBe(64);
  });

  async function refusal(bytes: Uint8Array | string, expected: IndexFileError['code'], name = 'broken.vectors'): Promise<IndexFileError> {
    const path = join(directory, name);
    await writeFile(path, bytes);
    const error = await exactBackendFactory.load(path, settings(6, 'cosine')).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(IndexFileError);
    expect((error as IndexFileError).code).toBe(expected);
    expect((error as IndexFileError).message).toContain(path);
    return error as IndexFileError;
  }

  async function goodBytes(): Promise<Buffer> {
    const { backend } = await filled();
    const path = join(directory, 'good.vectors');
    await backend.save(path);
    return readFile(path);
  }

  it('refuses foreign files', async () => {
    await refusal('{"not": "an index"}', 'SAGE_DB_NOT_INDEX_FILE');
    await refusal('hello', 'SAGE_DB_NOT_INDEX_FILE');
    await refusal(Buffer.from('SAGEDBXX-rest-of-some-file'), 'SAGE_DB_NOT_INDEX_FILE');
  });

  it('refuses truncated files at every kind of cut', async () => {
    const good = await goodBytes();
    for (const length of [0, 5, 8, 11, 12, 50, 96, 99, 100, 500, good.length - 5, good.length - 1]) {
      const error = await refusal(good.subarray(0, length), 'SAGE_DB_CORRUPT');
      expect(error.message).toMatch(/truncated/);
    }
    expect((await refusal(Buffer.concat([good, Buffer.from([0])]), 'SAGE_DB_CORRUPT')).message).toMatch(/trailing bytes/);
  });

  it('refuses a file with any flipped byte', async () => {
    const good = await goodBytes();
    for (const offset of [20, 40, 96, 96 + 100, good.length - 9, good.length - 2]) {
      const bad = Buffer.from(good);
      bad[offset]! ^= 0x10;
      await refusal(bad, 'SAGE_DB_CORRUPT');
    }
  });

  it('refuses another format version, and a file made for another collection', async () => {
    const good = await goodBytes();
    const newer = Buffer.from(good);
    newer.writeUInt32LE(2, 8);
    newer.writeUInt32LE(crc32(newer.subarray(0, newer.length - 4)), newer.length - 4);
    expect((await refusal(newer, 'SAGE_DB_VERSION')).message).toContain('version 2');

    const path = join(directory, 'other.vectors');
    await writeFile(path, good);
    const wrongDimension = await exactBackendFactory.load(path, settings(8, 'cosine')).catch((error: unknown) => error);
    expect(wrongDimension).toMatchObject({ code: 'SAGE_DB_CORRUPT' });
    expect((wrongDimension as Error).message).toContain('dimension 6, but the collection has dimension 8');
    await expect(exactBackendFactory.load(path, settings(6, 'l2'))).rejects.toMatchObject({ code: 'SAGE_DB_CORRUPT' });
    await expect(exactBackendFactory.load(join(directory, 'missing.vectors'), settings(6, 'l2'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
