import { truncateForMessage, ValidationError } from '@sage/common';
import type { Embedder } from './embedder.js';
import { EmbeddingError } from './embedding-error.js';

/**
 * Embeds `texts` with `embedder` in order, sending at most `batchSize` distinct texts per `embed` call so that
 * one big input does not become one huge request or tensor. Identical texts are embedded once per call; each
 * position still gets its own array, so a caller may change one without changing another. Batches run one
 * after another: a local model gains nothing from overlapping them, and a remote endpoint would see bursts.
 */
export async function embedInBatches(
  embedder: Pick<Embedder, 'name' | 'embed'>,
  texts: readonly string[],
  batchSize: number,
): Promise<Float32Array[]> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ValidationError(`embedInBatches: batchSize must be a positive integer, got ${truncateForMessage(batchSize)}`);
  }
  const distinct = [...new Set(texts)];
  const vectorOf = new Map<string, Float32Array>();
  for (let start = 0; start < distinct.length; start += batchSize) {
    const batch = distinct.slice(start, start + batchSize);
    const vectors = await embedder.embed(batch);
    if (vectors.length !== batch.length) {
      throw new EmbeddingError(embedder.name, `returned ${vectors.length} vectors for ${batch.length} texts`);
    }
    for (const [index, text] of batch.entries()) vectorOf.set(text, vectors[index]);
  }
  const handedOut = new Set<Float32Array>();
  return texts.map((text) => {
    const vector = vectorOf.get(text)!;
    if (!handedOut.has(vector)) {
      handedOut.add(vector);
      return vector;
    }
    return vector.slice();
  });
}
