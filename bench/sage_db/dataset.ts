/**
 * Seeded clustered data: a Gaussian mixture whose components have random centres, random weights and
 * random spreads, with a decaying per-dimension variance (as embeddings have: a few directions carry most of
 * the spread). Base vectors and queries are independent draws from the same mixture, so no query is a copy
 * of a base vector. Every record also gets `sel`, an integer uniform in 0..999, for filtered search.
 */
import { seededRandom } from '@sage/common';

export interface DatasetSpec {
  count: number;
  dimension: number;
  queries: number;
  clusters: number;
  seed: number;
}

export interface Dataset {
  spec: DatasetSpec;
  /** `count * dimension` floats, row-major. */
  vectors: Float32Array;
  /** `queries * dimension` floats, row-major. */
  queries: Float32Array;
  /** Per record: uniform integer in 0..999. */
  sel: Uint16Array;
}

/** Bumped whenever the generator changes, so cached ground truth of older data is never reused. */
export const GENERATOR_VERSION = 1;

/** `sel < threshold` matches threshold / 1000 of the records. */
export const SELECTIVITIES = [
  { label: '50%', threshold: 500 },
  { label: '10%', threshold: 100 },
  { label: '1%', threshold: 10 },
  { label: '0.1%', threshold: 1 },
] as const;


/** Standard normal draws (Box-Muller, both values of each pair used). */
function gaussian(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

interface Mixture {
  centres: Float32Array;
  /** Cumulative component weights, last = 1. */
  cumulative: Float64Array;
  spreads: Float64Array;
  /** Per-dimension standard deviation inside a component (before the component's spread). */
  profile: Float64Array;
}

function makeMixture(dimension: number, clusters: number, random: () => number): Mixture {
  const normal = gaussian(random);
  const centres = new Float32Array(clusters * dimension);
  for (let i = 0; i < centres.length; i++) centres[i] = normal();
  const weights = Array.from({ length: clusters }, () => 0.25 + random());
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative = new Float64Array(clusters);
  let running = 0;
  weights.forEach((weight, index) => {
    running += weight / total;
    cumulative[index] = running;
  });
  cumulative[clusters - 1] = 1;
  const spreads = Float64Array.from({ length: clusters }, () => 0.6 + 0.6 * random());
  const profile = Float64Array.from({ length: dimension }, (_, j) => 1 / Math.sqrt(1 + (8 * j) / dimension));
  return { centres, cumulative, spreads, profile };
}

function drawInto(out: Float32Array, rows: number, mixture: Mixture, dimension: number, random: () => number): void {
  const normal = gaussian(random);
  const { centres, cumulative, spreads, profile } = mixture;
  for (let row = 0; row < rows; row++) {
    const u = random();
    let component = 0;
    while (cumulative[component]! < u) component++;
    const spread = spreads[component]!;
    const centre = component * dimension;
    const offset = row * dimension;
    for (let j = 0; j < dimension; j++) out[offset + j] = centres[centre + j]! + spread * profile[j]! * normal();
  }
}

export function makeDataset(spec: DatasetSpec): Dataset {
  const { count, dimension, queries, clusters, seed } = spec;
  const mixture = makeMixture(dimension, clusters, seededRandom(seed));
  const vectors = new Float32Array(count * dimension);
  drawInto(vectors, count, mixture, dimension, seededRandom(seed + 1));
  const queryVectors = new Float32Array(queries * dimension);
  drawInto(queryVectors, queries, mixture, dimension, seededRandom(seed + 2));
  const selRandom = seededRandom(seed + 3);
  const sel = Uint16Array.from({ length: count }, () => Math.floor(selRandom() * 1000));
  return { spec, vectors, queries: queryVectors, sel };
}

/** Row `index` of a row-major matrix, without copying. */
export function row(matrix: Float32Array, dimension: number, index: number): Float32Array {
  return matrix.subarray(index * dimension, (index + 1) * dimension);
}
