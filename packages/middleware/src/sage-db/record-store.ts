import type { VectorIndexBackend } from './vector-index-backend.js';
import { MetadataIndex } from './filter/metadata-index.js';
import { Bm25Index } from './text/bm25-index.js';
import type { Metadata, StoredRecord } from './types.js';

interface Entry {
  label: number;
  metadata: Metadata;
  text: string | undefined;
}

/**
 * The in-memory side of a collection: which label holds which id, each record's metadata and text, and
 * the indexes built from them (metadata index for filters, BM25 for keywords). It changes only together
 * with the vector backend, through `upsert` and `delete`, so every part agrees on what is live.
 */
export class RecordStore {
  private readonly entries = new Map<string, Entry>();
  private idByLabel: (string | undefined)[] = [];
  readonly metadataIndex = new MetadataIndex();
  readonly keywords = new Bm25Index();

  constructor(readonly backend: VectorIndexBackend) {}

  get count(): number {
    return this.entries.size;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Labels of all live records, ascending. */
  liveLabels(): Uint32Array {
    const labels = Uint32Array.from([...this.entries.values()].map((entry) => entry.label));
    return labels.sort();
  }

  idOf(label: number): string | undefined {
    return this.idByLabel[label];
  }

  entry(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  record(id: string): StoredRecord | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    const vector = this.backend.vector(entry.label);
    return {
      id,
      vector: vector ?? new Float32Array(this.backend.dimension),
      metadata: entry.metadata,
      ...(entry.text === undefined ? {} : { text: entry.text }),
    };
  }

  /** Adds or replaces records (ids unique within the batch); `vectors` is row-major. */
  async upsert(ids: readonly string[], vectors: Float32Array, metadata: readonly Metadata[], texts: readonly (string | undefined)[]): Promise<void> {
    const replaced = ids.filter((id) => this.entries.has(id));
    if (replaced.length > 0) await this.delete(replaced);
    const firstLabel = await this.backend.add(vectors);
    ids.forEach((id, index) => {
      this.remember(id, { label: firstLabel + index, metadata: metadata[index]!, text: texts[index] });
    });
  }

  /** Removes records; returns how many existed. */
  async delete(ids: readonly string[]): Promise<number> {
    const labels: number[] = [];
    for (const id of new Set(ids)) {
      const entry = this.entries.get(id);
      if (entry === undefined) continue;
      labels.push(entry.label);
      this.forget(id, entry);
    }
    if (labels.length > 0) await this.backend.remove(labels);
    return labels.length;
  }

  /** Applies a compaction remap from the backend to every label this store holds. */
  relabel(remap: Int32Array): void {
    // Collected first: forgetting and remembering while iterating the map would visit entries twice.
    const entries = [...this.entries];
    for (const [id, entry] of entries) this.forget(id, entry);
    this.idByLabel = [];
    for (const [id, entry] of entries) this.remember(id, { ...entry, label: remap[entry.label]! });
  }

  /** All records without vectors, for a snapshot: [id, label, metadata, text?]. */
  snapshot(): Array<[string, number, Metadata, string?]> {
    return [...this.entries].map(([id, entry]) =>
      entry.text === undefined ? [id, entry.label, entry.metadata] : [id, entry.label, entry.metadata, entry.text],
    );
  }

  /** Restores records from a snapshot whose labels match the backend loaded with it. */
  restore(rows: Array<[string, number, Metadata, string?]>): void {
    for (const [id, label, metadata, text] of rows) this.remember(id, { label, metadata, text });
  }

  private remember(id: string, entry: Entry): void {
    this.entries.set(id, entry);
    this.idByLabel[entry.label] = id;
    this.metadataIndex.add(entry.label, entry.metadata);
    if (entry.text !== undefined) this.keywords.add(entry.label, entry.text);
  }

  private forget(id: string, entry: Entry): void {
    this.entries.delete(id);
    if (this.idByLabel[entry.label] === id) this.idByLabel[entry.label] = undefined;
    this.metadataIndex.remove(entry.label, entry.metadata);
    if (entry.text !== undefined) this.keywords.remove(entry.label);
  }
}
