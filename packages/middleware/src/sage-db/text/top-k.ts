/**
 * Keeps the `k` best (label, score) pairs of a stream in a bounded binary heap: O(n log k) time and O(k)
 * memory for n candidates, instead of sorting all n. Better means a higher score, then a smaller label,
 * so results are deterministic. Scores must not be NaN. (Shared by BM25, and the exact vector backend.)
 */
export class TopK {
  readonly capacity: number;
  private readonly labels: Uint32Array;
  private readonly scores: Float64Array;
  /** Entries held; the root (index 0) is the worst of them. */
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`TopK: capacity must be a non-negative integer, got ${capacity}`);
    this.capacity = capacity;
    this.labels = new Uint32Array(capacity);
    this.scores = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Offers a candidate; kept if the heap has room or it beats the worst entry held. */
  push(label: number, score: number): void {
    if (this.count < this.capacity) {
      this.siftUp(this.count++, label, score);
      return;
    }
    if (this.capacity === 0) return;
    const worstScore = this.scores[0];
    if (score < worstScore || (score === worstScore && label >= this.labels[0])) return;
    this.siftDown(0, label, score);
  }

  /** The entries best first, as new arrays; the heap is empty afterwards. */
  drain(): { labels: Uint32Array; scores: Float64Array } {
    const size = this.count;
    const labels = new Uint32Array(size);
    const scores = new Float64Array(size);
    for (let position = size - 1; position >= 0; position--) {
      labels[position] = this.labels[0];
      scores[position] = this.scores[0];
      const last = --this.count;
      if (last > 0) this.siftDown(0, this.labels[last], this.scores[last]);
    }
    return { labels, scores };
  }

  /** True when (label a, score a) ranks below (label b, score b). */
  private static worse(scoreA: number, labelA: number, scoreB: number, labelB: number): boolean {
    return scoreA < scoreB || (scoreA === scoreB && labelA > labelB);
  }

  private siftUp(position: number, label: number, score: number): void {
    let at = position;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!TopK.worse(score, label, this.scores[parent], this.labels[parent])) break;
      this.labels[at] = this.labels[parent];
      this.scores[at] = this.scores[parent];
      at = parent;
    }
    this.labels[at] = label;
    this.scores[at] = score;
  }

  private siftDown(position: number, label: number, score: number): void {
    const count = this.count;
    let at = position;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= count) break;
      const right = child + 1;
      if (right < count && TopK.worse(this.scores[right], this.labels[right], this.scores[child], this.labels[child])) child = right;
      if (!TopK.worse(this.scores[child], this.labels[child], score, label)) break;
      this.labels[at] = this.labels[child];
      this.scores[at] = this.scores[child];
      at = child;
    }
    this.labels[at] = label;
    this.scores[at] = score;
  }
}
