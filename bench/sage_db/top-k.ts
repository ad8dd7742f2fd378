/** The k smallest distances seen so far: a bounded max-heap of (label, distance). */
export class TopK {
  private readonly labels: Int32Array;
  private readonly distances: Float64Array;
  private size = 0;

  constructor(readonly k: number) {
    this.labels = new Int32Array(k);
    this.distances = new Float64Array(k);
  }

  /** The distance a candidate must beat to enter (Infinity while not full). */
  get bound(): number {
    return this.size < this.k ? Number.POSITIVE_INFINITY : this.distances[0]!;
  }

  push(label: number, distance: number): void {
    const { labels, distances, k } = this;
    if (this.size < k) {
      // Sift up.
      let index = this.size++;
      while (index > 0) {
        const parent = (index - 1) >> 1;
        if (distances[parent]! >= distance) break;
        labels[index] = labels[parent]!;
        distances[index] = distances[parent]!;
        index = parent;
      }
      labels[index] = label;
      distances[index] = distance;
      return;
    }
    if (distance >= distances[0]!) return;
    // Replace the root and sift down.
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= k) break;
      const right = left + 1;
      const child = right < k && distances[right]! > distances[left]! ? right : left;
      if (distances[child]! <= distance) break;
      labels[index] = labels[child]!;
      distances[index] = distances[child]!;
      index = child;
    }
    labels[index] = label;
    distances[index] = distance;
  }

  /** Labels, closest first; `-1` pads the tail when fewer than k were pushed. */
  sortedLabels(): Int32Array {
    const order = Array.from({ length: this.size }, (_, i) => i).sort((a, b) => this.distances[a]! - this.distances[b]! || this.labels[a]! - this.labels[b]!);
    const out = new Int32Array(this.k).fill(-1);
    order.forEach((from, to) => {
      out[to] = this.labels[from]!;
    });
    return out;
  }
}

/** Squared L2 distance between row `offset` of `vectors` and `query`: four accumulators, no allocation. */
export function squaredL2(vectors: Float32Array, offset: number, query: Float32Array, dimension: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < dimension; j += 4) {
    const a = vectors[offset + j]! - query[j]!;
    const b = vectors[offset + j + 1]! - query[j + 1]!;
    const c = vectors[offset + j + 2]! - query[j + 2]!;
    const d = vectors[offset + j + 3]! - query[j + 3]!;
    s0 += a * a;
    s1 += b * b;
    s2 += c * c;
    s3 += d * d;
  }
  for (; j < dimension; j++) {
    const a = vectors[offset + j]! - query[j]!;
    s0 += a * a;
  }
  return s0 + s1 + s2 + s3;
}
