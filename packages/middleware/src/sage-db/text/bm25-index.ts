import { ValidationError } from '@sage/common';
import { bitmapHas } from '../filter/bitmap.js';
import { tokenize } from './tokenize.js';
import { TopK } from './top-k.js';

export interface Bm25Options {
  /** Term frequency saturation; default 1.2. */
  k1?: number;
  /** Length normalisation in [0, 1]; default 0.75. */
  b?: number;
}

/** Results best first: parallel arrays of labels and BM25 scores (the shape of `BackendResult`). */
export interface Bm25Result {
  labels: Uint32Array;
  scores: Float32Array;
}

/** Which labels a search may return: a predicate, or a bitmap (bit `label % 8` of byte `label >> 3`). */
export type Bm25Allowed = ((label: number) => boolean) | Uint8Array;

/**
 * A snapshot of the index as plain JSON data: per term, its postings as flat `[label, tf, label, tf, …]`.
 * Documents' lengths and terms are derived from the postings on load.
 */
export interface Bm25Snapshot {
  version: 1;
  k1: number;
  b: number;
  postings: Array<[term: string, labelsAndFrequencies: number[]]>;
}

interface DocumentEntry {
  /** Terms counted, stop words excluded. */
  length: number;
  /** Distinct terms, to find the postings to update on removal. */
  terms: string[];
}

const MAX_LABEL = 0xffff_ffff;

/**
 * BM25 keyword search over the text of labelled documents (Okapi BM25 as in Lucene):
 *
 *   score(D, Q) = Σ over distinct terms t of Q in D: idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·|D|/avgdl))
 *   idf(t) = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5))
 *
 * N is the number of documents, n(t) how many contain t, |D| the document's term count and avgdl the mean
 * of |D|. Text is split by `tokenize` (lowercase words, English stop words dropped, no stemming). A
 * document with no terms left is not indexed (it could never match, and Lucene does not count it in N).
 * All statistics are integers kept in step with every add and remove, so removing a document gives back
 * exactly the scores the index had before it was added.
 */
export class Bm25Index {
  readonly k1: number;
  readonly b: number;
  private readonly postings = new Map<string, Map<number, number>>();
  private readonly documents = new Map<number, DocumentEntry>();
  private totalLength = 0;

  constructor(options: Bm25Options = {}) {
    const k1 = options.k1 ?? 1.2;
    const b = options.b ?? 0.75;
    if (!(Number.isFinite(k1) && k1 >= 0)) throw new ValidationError(`Bm25Index: k1 must be a finite number >= 0, got ${k1}`);
    if (!(b >= 0 && b <= 1)) throw new ValidationError(`Bm25Index: b must be within [0, 1], got ${b}`);
    this.k1 = k1;
    this.b = b;
  }

  /** Documents indexed. */
  get size(): number {
    return this.documents.size;
  }

  has(label: number): boolean {
    return this.documents.has(label);
  }

  /** Indexes `text` under `label`, replacing any text the label had. */
  add(label: number, text: string): void {
    checkLabel(label);
    if (typeof text !== 'string') throw new ValidationError(`Bm25Index.add: text must be a string, got ${typeof text}`);
    this.remove(label);
    const frequencies = new Map<string, number>();
    let length = 0;
    for (const term of tokenize(text)) {
      frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
      length++;
    }
    this.insert(label, frequencies, length);
  }

  /** Unindexes a label; unknown labels are ignored. */
  remove(label: number): void {
    const document = this.documents.get(label);
    if (document === undefined) return;
    for (const term of document.terms) {
      const postings = this.postings.get(term)!;
      postings.delete(label);
      if (postings.size === 0) this.postings.delete(term);
    }
    this.totalLength -= document.length;
    this.documents.delete(label);
  }

  /**
   * The `k` best documents holding at least one query term, best first; ties go to the smaller label.
   * Only labels `allowed` admits are candidates. Query terms count once however often they are repeated.
   */
  search(query: string, k: number, allowed?: Bm25Allowed): Bm25Result {
    if (typeof query !== 'string') throw new ValidationError(`Bm25Index.search: query must be a string, got ${typeof query}`);
    if (!Number.isInteger(k) || k < 0) throw new ValidationError(`Bm25Index.search: k must be a non-negative integer, got ${k}`);
    const documentCount = this.documents.size;
    if (k === 0 || documentCount === 0) return { labels: new Uint32Array(0), scores: new Float32Array(0) };
    const isAllowed = allowed instanceof Uint8Array ? (label: number) => bitmapHas(allowed, label) : allowed;
    const averageLength = this.totalLength / documentCount;
    const { k1, b } = this;
    // label -> score so far; NaN marks a label `allowed` refused, so the predicate runs once per label.
    const scores = new Map<number, number>();
    for (const term of new Set(tokenize(query))) {
      const postings = this.postings.get(term);
      if (postings === undefined) continue;
      const containing = postings.size;
      const idf = Math.log(1 + (documentCount - containing + 0.5) / (containing + 0.5));
      for (const [label, frequency] of postings) {
        const sofar = scores.get(label);
        if (sofar === undefined) {
          if (isAllowed !== undefined && !isAllowed(label)) {
            scores.set(label, Number.NaN);
            continue;
          }
        } else if (Number.isNaN(sofar)) continue;
        const length = this.documents.get(label)!.length;
        const score = (idf * frequency * (k1 + 1)) / (frequency + k1 * (1 - b + (b * length) / averageLength));
        scores.set(label, (sofar ?? 0) + score);
      }
    }
    const top = new TopK(Math.min(k, scores.size));
    // Ranked by the float32 score returned, so ties seen by the caller are broken by label.
    for (const [label, score] of scores) if (!Number.isNaN(score)) top.push(label, Math.fround(score));
    const best = top.drain();
    return { labels: best.labels, scores: Float32Array.from(best.scores) };
  }

  toJSON(): Bm25Snapshot {
    const postings: Bm25Snapshot['postings'] = [];
    for (const [term, labels] of this.postings) {
      const flat: number[] = [];
      for (const [label, frequency] of labels) flat.push(label, frequency);
      postings.push([term, flat]);
    }
    return { version: 1, k1: this.k1, b: this.b, postings };
  }

  /** Rebuilds an index from `toJSON()` output; a malformed snapshot is a `ValidationError`. */
  static fromJSON(snapshot: unknown): Bm25Index {
    const data = snapshot as Partial<Bm25Snapshot> | null;
    if (data === null || typeof data !== 'object') throw snapshotError('expected an object');
    if (data.version !== 1) throw snapshotError(`unsupported version ${String(data.version)} (this release reads 1)`);
    if (!Array.isArray(data.postings)) throw snapshotError('postings must be an array');
    const index = new Bm25Index({ k1: data.k1, b: data.b });
    const byLabel = new Map<number, Map<string, number>>();
    data.postings.forEach((entry, position) => {
      const [term, flat] = Array.isArray(entry) ? entry : [];
      if (typeof term !== 'string' || term === '' || !Array.isArray(flat) || flat.length === 0 || flat.length % 2 !== 0) {
        throw snapshotError(`postings[${position}] must be [term, [label, tf, …]]`);
      }
      for (let i = 0; i < flat.length; i += 2) {
        const label = flat[i];
        const frequency = flat[i + 1];
        if (!isLabel(label) || !Number.isInteger(frequency) || frequency < 1) {
          throw snapshotError(`postings[${position}] holds an invalid label or term frequency at ${i}`);
        }
        let terms = byLabel.get(label);
        if (terms === undefined) byLabel.set(label, (terms = new Map()));
        if (terms.has(term)) throw snapshotError(`postings[${position}] lists label ${label} twice`);
        terms.set(term, frequency);
      }
    });
    for (const [label, frequencies] of byLabel) {
      let length = 0;
      for (const frequency of frequencies.values()) length += frequency;
      index.insert(label, frequencies, length);
    }
    return index;
  }

  private insert(label: number, frequencies: Map<string, number>, length: number): void {
    if (length === 0) return;
    for (const [term, frequency] of frequencies) {
      let postings = this.postings.get(term);
      if (postings === undefined) this.postings.set(term, (postings = new Map()));
      postings.set(label, frequency);
    }
    this.documents.set(label, { length, terms: [...frequencies.keys()] });
    this.totalLength += length;
  }
}

function isLabel(label: unknown): label is number {
  return Number.isInteger(label) && (label as number) >= 0 && (label as number) <= MAX_LABEL;
}

function checkLabel(label: number): void {
  if (!isLabel(label)) throw new ValidationError(`Bm25Index: label must be an integer in [0, 2^32 - 1], got ${label}`);
}

function snapshotError(problem: string): ValidationError {
  return new ValidationError(`Bm25Index.fromJSON: ${problem}`);
}
