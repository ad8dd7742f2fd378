import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@sage/common';

/** A seeded PRNG: the same data on every run. */
export const random = seededRandom;

/** `count` vectors of `dimension` around `clusters` random centres (a Gaussian-ish mixture), row-major. */
export function clusteredVectors(count: number, dimension: number, seed: number, clusters = 16): Float32Array {
  const next = random(seed);
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dimension }, () => next() * 2 - 1));
  const out = new Float32Array(count * dimension);
  for (let i = 0; i < count; i++) {
    const centre = centres[Math.floor(next() * clusters)]!;
    for (let d = 0; d < dimension; d++) out[i * dimension + d] = centre[d]! + (next() + next() + next() - 1.5) * 0.35;
  }
  return out;
}

export function row(vectors: Float32Array, index: number, dimension: number): Float32Array {
  return vectors.slice(index * dimension, (index + 1) * dimension);
}

/** Exact top-k ids by cosine similarity among `candidates` (brute force, for checking results). */
export function bruteForceCosine(
  query: Float32Array,
  vectors: Float32Array,
  dimension: number,
  candidates: readonly number[],
  k: number,
): number[] {
  const norm = (v: Float32Array, offset: number) => {
    let sum = 0;
    for (let d = 0; d < dimension; d++) sum += v[offset + d]! ** 2;
    return Math.sqrt(sum);
  };
  const queryNorm = norm(query, 0);
  const scored = candidates.map((index) => {
    let dot = 0;
    for (let d = 0; d < dimension; d++) dot += query[d]! * vectors[index * dimension + d]!;
    return { index, score: dot / (queryNorm * norm(vectors, index * dimension)) };
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.slice(0, k).map((entry) => entry.index);
}

export function temporaryDirectory(prefix = 'sage-db-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
