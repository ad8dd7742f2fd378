import { hashString } from '@sage/common';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import type { Embedder } from './embedder.js';
import { l2Normalize } from './vectors.js';

export interface HashingEmbedderConfig {
  /** Vector length. Default 256. */
  dimension?: number;
}

const configSchema = z.strictObject({
  dimension: z.number().int().min(1).max(65_536).default(256),
});

/** Letters and digits in any script; everything else separates words. */
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * A deterministic embedder with no model: the signed hashing trick over lowercased word unigrams and bigrams,
 * L2-normalised. The same text gives the same vector in every process, so tests and offline runs are
 * reproducible. Texts that share words score above texts that do not; it knows no synonyms. A text without
 * words maps to the zero vector.
 */
export class HashingEmbedder implements Embedder {
  readonly name: string;
  readonly dimension: number;

  constructor(config?: HashingEmbedderConfig) {
    const { dimension } = parseConfig('HashingEmbedder', configSchema, config);
    this.dimension = dimension;
    this.name = `hashing-${this.dimension}`;
  }

  async init(): Promise<void> {}

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((text) => this.embedOne(text));
  }

  private embedOne(text: string): Float32Array {
    const vector = new Float32Array(this.dimension);
    const words = text.toLowerCase().match(WORD) ?? [];
    words.forEach((word, index) => {
      this.add(vector, `w:${word}`);
      if (index > 0) this.add(vector, `b:${words[index - 1]} ${word}`);
    });
    return l2Normalize(vector);
  }

  /** The sign comes from a second hash so that collisions in one slot cancel out on average instead of adding up. */
  private add(vector: Float32Array, feature: string): void {
    const slot = hashString(feature) % this.dimension;
    vector[slot] += hashString(`±${feature}`) & 1 ? 1 : -1;
  }
}
