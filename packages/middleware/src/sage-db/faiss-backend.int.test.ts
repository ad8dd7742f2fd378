/**
 * Integration tests of the FAISS backend against the real native addon. Build it first:
 *   pnpm --filter @sage/sage-db-native build
 * Without the addon only the "not built" test runs (the rest is skipped, with the reason in its title).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SageError, ValidationError } from '@sage/common';
import { isSageDbNativeBuilt } from '@sage/sage-db-native';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faissBackendFactory } from './faiss-backend.js';
import { DEFAULT_INDEX_PARAMS, type IndexKind, type IndexParams, type Metric } from './types.js';
import type { BackendResult, BackendSettings, VectorIndexBackend } from './vector-index-backend.js';

const native = isSageDbNativeBuilt();

function settings(
  dimension: number,
  metric: Metric,
  kind: IndexKind,
  params: Partial<IndexParams> = {},
): BackendSettings {
  return { dimension, metric, kind, params: { ...DEFAULT_INDEX_PARAMS, ...params } };
}

/** Seeded clustered vectors (a small LCG, so the data is the same on every run). */
function vectors(count: number, dimension: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
  const centres = Array.from({ length: 16 }, () => Array.from({ length: dimension }, () => next() * 2 - 1));
  const out = new Float32Array(count * dimension);
  for (let i = 0; i < count; i++) {
    const centre = centres[Math.floor(next() * centres.length)];
    for (let j = 0; j < dimension; j++) out[i * dimension + j] = centre[j] + (next() - 0.5) * 0.5;
  }
  return out;
}

function row(data: Float32Array, dimension: number, i: number): Float32Array {
  return data.subarray(i * dimension, (i + 1) * dimension);
}

/** Exact top-k in double precision; scores higher-is-closer. */
function bruteForce(
  data: Float32Array,
  query: Float32Array,
  dimension: number,
  k: number,
  metric: 'l2' | 'ip',
  keep: (label: number) => boolean = () => true,
): { labels: number[]; scores: number[] } {
  const all: [number, number][] = [];
  for (let i = 0; i < data.length / dimension; i++) {
    if (!keep(i)) continue;
    let s = 0;
    for (let j = 0; j < dimension; j++) {
      const a = query[j];
      const b = data[i * dimension + j];
      s += metric === 'l2' ? (a - b) * (a - b) : a * b;
    }
    all.push([metric === 'l2' ? -s : s, i]);
  }
  all.sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  const top = all.slice(0, k);
  return { labels: top.map((t) => t[1]), scores: top.map((t) => t[0]) };
}

function expectSorted(result: BackendResult): void {
  expect(result.labels).toBeInstanceOf(Uint32Array);
  expect(result.scores).toBeInstanceOf(Float32Array);
  expect(result.labels.length).toBe(result.scores.length);
  for (let i = 1; i < result.scores.length; i++) expect(result.scores[i - 1]).toBeGreaterThanOrEqual(result.scores[i]);
}

function bitmap(size: number, keep: (label: number) => boolean): Uint8Array {
  const bits = new Uint8Array(Math.ceil(size / 8));
  for (let i = 0; i < size; i++) if (keep(i)) bits[i >> 3] |= 1 << (i & 7);
  return bits;
}

describe('faissBackendFactory without the addon', () => {
  it('throws SAGE_NATIVE naming the build command when the addon cannot be found', () => {
    const saved = process.env.SAGE_DB_NATIVE_PATH;
    process.env.SAGE_DB_NATIVE_PATH = join(tmpdir(), 'no-such-sage-db-addon.node');
    try {
      let error: unknown;
      try {
        faissBackendFactory.create(settings(4, 'l2', 'flat'));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(SageError);
      expect((error as SageError).code).toBe('SAGE_NATIVE');
      expect((error as Error).message).toContain('pnpm --filter @sage/sage-db-native build');
      expect((error as Error).message).toContain('sage extensions install sage_db');
    } finally {
      if (saved === undefined) delete process.env.SAGE_DB_NATIVE_PATH;
      else process.env.SAGE_DB_NATIVE_PATH = saved;
    }
  });
});

describe.skipIf(!native.built)(`faissBackendFactory (real FAISS${native.built ? '' : `; skipped: ${native.reason}`})`, () => {
  let dir: string;
  const open: VectorIndexBackend[] = [];
  const create = (s: BackendSettings) => {
    const backend = faissBackendFactory.create(s);
    open.push(backend);
    return backend;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sage-faiss-backend-'));
  });
  afterAll(async () => {
    for (const backend of open) backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates an empty backend with the given settings and rejects bad ones', () => {
    const backend = create(settings(8, 'cosine', 'auto'));
    expect(backend.dimension).toBe(8);
    expect(backend.metric).toBe('cosine');
    expect(backend.kind).toBe('auto');
    expect(backend.size).toBe(0);
    expect(backend.nextLabel).toBe(0);
    expect(() => faissBackendFactory.create(settings(0, 'l2', 'flat'))).toThrow(ValidationError);
    expect(() => faissBackendFactory.create(settings(8, 'hamming' as Metric, 'flat'))).toThrow(ValidationError);
    expect(() => faissBackendFactory.create(settings(30, 'l2', 'ivf_pq', { pqM: 8 }))).toThrow(
      'ivf_pq: pqM (8) must divide the dimension (30)',
    );
  });

  it('adds vectors under consecutive labels and validates them', async () => {
    const d = 4;
    const backend = create(settings(d, 'l2', 'flat'));
    const data = vectors(5, d, 1);
    expect(await backend.add(data.subarray(0, 3 * d))).toBe(0);
    expect(await backend.add(data.subarray(3 * d))).toBe(3);
    expect(backend.size).toBe(5);
    expect(backend.nextLabel).toBe(5);
    expect(backend.vector(4)).toEqual(row(data, d, 4));
    expect(backend.vector(5)).toBeUndefined();
    expect(backend.vector(-1)).toBeUndefined();
    await expect(backend.add(new Float32Array(3))).rejects.toThrow(ValidationError);
    await expect(backend.add(new Float32Array([1, 2, Number.NaN, 4]))).rejects.toThrow(/non-finite/);
    expect(backend.size).toBe(5);
  });

  it('normalises cosine vectors and ranks by inner product', async () => {
    const backend = create(settings(3, 'cosine', 'flat'));
    await backend.add(new Float32Array([3, 4, 0, 0, 0, 2]));
    const stored = backend.vector(0)!;
    expect(stored[0]).toBeCloseTo(0.6, 6);
    expect(stored[1]).toBeCloseTo(0.8, 6);
    const [result] = await backend.search(new Float32Array([0, 10, 10]), 2);
    expect(Array.from(result.labels)).toEqual([1, 0]);
    expect(result.scores[0]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(result.scores[1]).toBeCloseTo(0.8 * Math.SQRT1_2, 5);
  });

  it('removes labels as tombstones: ignored when unknown, excluded from every search', async () => {
    const d = 8;
    for (const kind of ['flat', 'hnsw'] as const) {
      const backend = create(settings(d, 'l2', kind));
      const data = vectors(200, d, 2);
      await backend.add(data);
      await backend.remove([0, 1, 1, 999, -5, 2.5]);
      expect(backend.size).toBe(198);
      expect(backend.nextLabel).toBe(200);
      expect(backend.vector(0)).toBeUndefined();
      const results = await backend.search(data.subarray(0, 2 * d), 5);
      for (const result of results) {
        expectSorted(result);
        expect(result.labels).not.toContain(0);
        expect(result.labels).not.toContain(1);
      }
      expect(await backend.add(data.subarray(0, d))).toBe(200); // labels are never reused
    }
  });

  it('searches exactly with flat (l2 and ip), batched and single', async () => {
    const d = 24;
    const data = vectors(2000, d, 3);
    const queries = vectors(20, d, 4);
    for (const metric of ['l2', 'ip'] as const) {
      const backend = create(settings(d, metric, 'flat'));
      await backend.add(data);
      for (const batch of [queries.subarray(0, d), queries]) {
        const results = await backend.search(batch, 10);
        expect(results).toHaveLength(batch.length / d);
        results.forEach((result, q) => {
          const truth = bruteForce(data, row(batch, d, q), d, 10, metric);
          expect(Array.from(result.labels)).toEqual(truth.labels);
          result.scores.forEach((score, i) => {
            expect(score).toBeCloseTo(truth.scores[i], 3);
          });
        });
      }
      const [few] = await backend.search(queries.subarray(0, d), 5000);
      expect(few.labels.length).toBe(2000);
      const [none] = await backend.search(queries.subarray(0, d), 0);
      expect(none.labels.length).toBe(0);
    }
  });

  it('respects the allowed bitmap and search options with HNSW', async () => {
    const d = 16;
    const n = 5000;
    const data = vectors(n, d, 5);
    const queries = vectors(10, d, 6);
    const backend = create(settings(d, 'l2', 'hnsw', { efSearch: 32 }));
    await backend.add(data);
    for (const modulus of [2, 301]) {
      const keep = (label: number) => label % modulus === 0;
      const results = await backend.search(queries, 10, { allowed: bitmap(n, keep), efSearch: 200 });
      results.forEach((result, q) => {
        expectSorted(result);
        expect(result.labels.length).toBeGreaterThan(0);
        for (const label of result.labels) expect(keep(label)).toBe(true);
        const truth = bruteForce(data, row(queries, d, q), d, 10, 'l2', keep);
        const hits = truth.labels.filter((label) => result.labels.includes(label)).length;
        expect(hits).toBeGreaterThanOrEqual(8);
      });
    }
    const [result] = await backend.search(queries.subarray(0, d), 10, { nprobe: 4, efSearch: 64 });
    expectSorted(result);
    // The same searches on the JavaScript thread give the same answers, and throw where these reject.
    const allowed = bitmap(n, (label) => label % 3 === 0);
    expect(backend.searchSync(queries, 10, { allowed, efSearch: 100 })).toEqual(await backend.search(queries, 10, { allowed, efSearch: 100 }));
    expect(backend.searchSync(queries.subarray(0, d), 5)).toEqual(await backend.search(queries.subarray(0, d), 5));
    expect(() => backend.searchSync(queries, -1)).toThrow(ValidationError);
    expect(() => backend.searchSync(queries.subarray(1), 1)).toThrow(/multiple of the dimension/);
    await expect(backend.search(queries, -1)).rejects.toThrow(ValidationError);
    await expect(backend.search(queries.subarray(1), 1)).rejects.toThrow(/multiple of the dimension/);
  });

  it('searchSubset is exact over exactly the given live labels', async () => {
    const d = 12;
    const data = vectors(3000, d, 7);
    const query = vectors(1, d, 8);
    const backend = create(settings(d, 'l2', 'hnsw'));
    await backend.add(data);
    await backend.remove([14]);
    const labels = Uint32Array.from({ length: 3000 / 7 }, (_, i) => i * 7);
    const [result] = await backend.searchSubset(query, 10, labels);
    const inSubset = new Set(labels);
    const truth = bruteForce(data, query, d, 10, 'l2', (label) => inSubset.has(label) && label !== 14);
    expect(Array.from(result.labels)).toEqual(truth.labels);
    expect(result.labels).not.toContain(14);
    expect(backend.searchSubsetSync(query, 10, labels)).toEqual([result]);
  });

  it('trains IVF once it holds enough vectors and answers before and after', async () => {
    const d = 16;
    const data = vectors(1500, d, 9);
    const backend = create(settings(d, 'ip', 'ivf_flat', { nlist: 16, nprobe: 16 }));
    await backend.add(data.subarray(0, 500 * d)); // below 39 * 16: exact
    const query = row(data, d, 3);
    const [before] = await backend.search(query, 5);
    expect(Array.from(before.labels)).toEqual(bruteForce(data.subarray(0, 500 * d), query, d, 5, 'ip').labels);
    await backend.add(data.subarray(500 * d));
    const [after] = await backend.search(query, 5); // nprobe == nlist: exact
    expect(Array.from(after.labels)).toEqual(bruteForce(data, query, d, 5, 'ip').labels);
  });

  it('compacts away tombstones and returns the remap', async () => {
    const d = 8;
    const data = vectors(100, d, 10);
    const backend = create(settings(d, 'l2', 'hnsw'));
    await backend.add(data);
    await backend.remove([0, 5, 99]);
    const remap = await backend.compact();
    expect(remap).toBeInstanceOf(Int32Array);
    expect(remap.length).toBe(100);
    expect(remap[0]).toBe(-1);
    expect(remap[1]).toBe(0);
    expect(remap[6]).toBe(4);
    expect(remap[99]).toBe(-1);
    expect(backend.size).toBe(97);
    expect(backend.nextLabel).toBe(97);
    expect(backend.vector(remap[6])).toEqual(row(data, d, 6));
    const [result] = await backend.search(row(data, d, 6), 1);
    expect(result.labels[0]).toBe(remap[6]);
  });

  it('saves and loads one file with identical results; refuses mismatching, corrupt and foreign files', async () => {
    const d = 16;
    const data = vectors(3000, d, 11);
    const queries = vectors(8, d, 12);
    const s = settings(d, 'cosine', 'auto', { autoThreshold: 1000 });
    const backend = create(s);
    await backend.add(data);
    await backend.remove([3, 4]);
    const path = join(dir, 'index.sdbvi');
    await backend.save(path);
    const before = await backend.search(queries, 10);

    const loaded = await faissBackendFactory.load(path, s);
    open.push(loaded);
    expect(loaded.size).toBe(2998);
    expect(loaded.nextLabel).toBe(3000);
    expect(loaded.kind).toBe('auto');
    expect(await loaded.search(queries, 10)).toEqual(before);
    expect(await loaded.add(queries.subarray(0, d))).toBe(3000);

    const mismatch = faissBackendFactory.load(path, settings(d, 'l2', 'auto', { autoThreshold: 1000 }));
    await expect(mismatch).rejects.toMatchObject({ code: 'SAGE_DB_SETTINGS_MISMATCH' });

    const bytes = await readFile(path);
    const corrupt = Buffer.from(bytes);
    corrupt[Math.floor(bytes.length / 2)] ^= 0xff;
    const corruptPath = join(dir, 'corrupt.sdbvi');
    await writeFile(corruptPath, corrupt);
    await expect(faissBackendFactory.load(corruptPath, s)).rejects.toMatchObject({
      code: 'SAGE_DB_CORRUPT',
      path: corruptPath,
    });
    expect(Buffer.compare(await readFile(corruptPath), corrupt)).toBe(0); // never modified

    const truncatedPath = join(dir, 'truncated.sdbvi');
    await writeFile(truncatedPath, bytes.subarray(0, bytes.length - 100));
    await expect(faissBackendFactory.load(truncatedPath, s)).rejects.toMatchObject({ code: 'SAGE_DB_CORRUPT' });

    const foreignPath = join(dir, 'foreign.json');
    await writeFile(foreignPath, JSON.stringify({ hello: 'world' }));
    await expect(faissBackendFactory.load(foreignPath, s)).rejects.toMatchObject({ code: 'SAGE_DB_NOT_INDEX_FILE' });
    await expect(faissBackendFactory.load(join(dir, 'missing.sdbvi'), s)).rejects.toMatchObject({ code: 'SAGE_DB_IO' });
  });

  it('serves many searches in flight while adds run (auto switching to HNSW midway)', async () => {
    const d = 32;
    const batch = 200;
    const batches = 25;
    const data = vectors(batch * batches, d, 13);
    const queries = vectors(16, d, 14);
    const backend = create(settings(d, 'l2', 'auto', { autoThreshold: 2000 }));
    await backend.add(data.subarray(0, batch * d));
    const searches: Promise<void>[] = [];
    const adds: Promise<number>[] = [];
    for (let b = 1; b < batches; b++) {
      adds.push(backend.add(data.subarray(b * batch * d, (b + 1) * batch * d)));
      for (let i = 0; i < 8; i++) {
        searches.push(
          backend.search(queries.subarray((i % 16) * d, (i % 16) * d + 2 * d), 10).then((results) => {
            expect(results).toHaveLength(2);
            for (const result of results) {
              expectSorted(result);
              expect(result.labels.length).toBe(10);
              for (const label of result.labels) expect(label).toBeLessThan(batch * batches);
            }
          }),
        );
      }
    }
    const firsts = await Promise.all(adds);
    await Promise.all(searches);
    expect(firsts).toEqual(Array.from({ length: batches - 1 }, (_, i) => (i + 1) * batch));
    expect(backend.size).toBe(batch * batches);
    // Consistent end state: the HNSW answer for a stored vector is that vector.
    const [self] = await backend.search(row(data, d, 4321), 1);
    expect(self.labels[0]).toBe(4321);
    // Writes apply in call order even when not awaited: the remove sees the label the add will assign.
    const added = backend.add(queries.subarray(0, d));
    const removed = backend.remove([batch * batches]);
    expect(await added).toBe(batch * batches);
    await removed;
    expect(backend.vector(batch * batches)).toBeUndefined();
    expect(backend.size).toBe(batch * batches);
  });

  it('settles hundreds of searches in flight on several indexes, each with its own answer', async () => {
    const d = 16;
    const data = vectors(3000, d, 21);
    const queries = vectors(64, d, 22);
    const flat = create(settings(d, 'l2', 'flat'));
    const hnsw = create(settings(d, 'ip', 'hnsw'));
    await Promise.all([flat.add(data), hnsw.add(data)]);
    const one = (backend: VectorIndexBackend, q: number, k: number) => backend.search(row(queries, d, q), k, { efSearch: 64 });
    const expected: BackendResult[][] = [];
    for (let q = 0; q < 64; q++) expected.push([(await one(flat, q, 1 + (q % 7)))[0], (await one(hnsw, q, 1 + (q % 5)))[0]]);
    const inFlight: Promise<BackendResult[]>[] = [];
    for (let round = 0; round < 4; round++) {
      for (let q = 0; q < 64; q++) inFlight.push(one(flat, q, 1 + (q % 7)), one(hnsw, q, 1 + (q % 5)));
    }
    const answers = await Promise.all(inFlight);
    answers.forEach(([answer], i) => {
      const q = (i >> 1) % 64;
      const want = expected[q]![i & 1]!;
      expect(Array.from(answer!.labels)).toEqual(Array.from(want.labels));
      expect(Array.from(answer!.scores)).toEqual(Array.from(want.scores));
    });
    const truth = bruteForce(data, row(queries, d, 5), d, 1 + (5 % 7), 'l2');
    expect(Array.from(expected[5]![0]!.labels)).toEqual(truth.labels);
  });

  it('lets an idle process exit and shuts its search threads down with a worker thread', () => {
    const run = (script: string) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        encoding: 'utf8',
        timeout: 20_000,
      });
    // No close(): the search threads must not keep the event loop alive once every search has settled.
    const idle = run(`
      import { loadSageDbNative } from '@sage/sage-db-native';
      const index = loadSageDbNative().createIndex({ dimension: 4, metric: 'l2', kind: 'flat' });
      await index.add(new Float32Array([0, 0, 0, 0, 1, 1, 1, 1]));
      const [hit] = await index.search(new Float32Array([1, 1, 1, 1]), 1);
      console.log('label', hit.labels[0]);
    `);
    expect(idle.error).toBeUndefined();
    expect(idle.stderr).toBe('');
    expect(idle.stdout.trim()).toBe('label 1');
    expect(idle.status).toBe(0);
    // A worker thread has its own search threads; ending it mid-search must join them cleanly.
    const worker = run(`
      import { Worker } from 'node:worker_threads';
      const code = \`
        const { loadSageDbNative } = await import('@sage/sage-db-native');
        const { parentPort } = await import('node:worker_threads');
        const index = loadSageDbNative().createIndex({ dimension: 8, metric: 'l2', kind: 'flat' });
        await index.add(new Float32Array(8 * 20000).map((_, i) => i % 13));
        const [hit] = await index.search(new Float32Array(8).fill(3), 3);
        parentPort.postMessage(hit.labels.length);
        for (let i = 0; i < 2000; i++) index.search(new Float32Array(8 * 64), 10); // still calling when terminated
      \`;
      const w = new Worker(code, { eval: true, type: 'module' });
      const found = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
      await w.terminate();
      console.log('worker found', found);
    `);
    expect(worker.error).toBeUndefined();
    expect(worker.stderr).toBe('');
    expect(worker.stdout.trim()).toBe('worker found 3');
    expect(worker.status).toBe(0);
  });

  it('close frees the index; later calls fail with SAGE_DB_CLOSED', async () => {
    const backend = faissBackendFactory.create(settings(4, 'l2', 'flat'));
    await backend.add(new Float32Array(8));
    const pending = backend.search(new Float32Array(4), 1); // in flight while closing: still completes
    backend.close();
    expect((await pending)[0].labels.length).toBe(1);
    expect(() => backend.vector(0)).toThrow(expect.objectContaining({ code: 'SAGE_DB_CLOSED' }));
    await expect(backend.search(new Float32Array(4), 1)).rejects.toMatchObject({ code: 'SAGE_DB_CLOSED' });
    expect(() => backend.searchSync(new Float32Array(4), 1)).toThrow(expect.objectContaining({ code: 'SAGE_DB_CLOSED' }));
  });
});
