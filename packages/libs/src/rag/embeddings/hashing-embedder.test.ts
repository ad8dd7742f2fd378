import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from './hashing-embedder.js';
import { cosineSimilarity } from './vectors.js';

function norm(vector: Float32Array): number {
  return Math.hypot(...vector);
}

describe('HashingEmbedder', () => {
  it('defaults to 256 dimensions and names itself after them', async () => {
    const embedder = new HashingEmbedder();
    const [vector] = await embedder.embed(['hello world']);
    expect(embedder.dimension).toBe(256);
    expect(embedder.name).toBe('hashing-256');
    expect(vector).toBeInstanceOf(Float32Array);
    expect(vector.length).toBe(256);
  });

  it('uses the configured dimension', async () => {
    const embedder = new HashingEmbedder({ dimension: 32 });
    const vectors = await embedder.embed(['a b c', 'd e f']);
    expect(embedder.name).toBe('hashing-32');
    expect(vectors.map((vector) => vector.length)).toEqual([32, 32]);
  });

  it('is deterministic across instances and calls, and case-insensitive', async () => {
    const [first] = await new HashingEmbedder().embed(['The quick brown fox']);
    const [second, upper] = await new HashingEmbedder().embed(['The quick brown fox', 'THE QUICK BROWN FOX']);
    expect(Array.from(second)).toEqual(Array.from(first));
    expect(Array.from(upper)).toEqual(Array.from(first));
  });

  it('returns unit vectors, and the zero vector for a text without words', async () => {
    const [short, long, punctuation, empty] = await new HashingEmbedder().embed([
      'one',
      'a much longer sentence with many many repeated repeated words',
      '?!',
      '',
    ]);
    expect(norm(short)).toBeCloseTo(1, 5);
    expect(norm(long)).toBeCloseTo(1, 5);
    expect(norm(punctuation)).toBe(0);
    expect(norm(empty)).toBe(0);
  });

  it('returns nothing for no texts', async () => {
    expect(await new HashingEmbedder().embed([])).toEqual([]);
  });

  it('uses word order through bigrams', async () => {
    const [forward, backward] = await new HashingEmbedder().embed(['dog bites man', 'man bites dog']);
    expect(cosineSimilarity(forward, backward)).toBeLessThan(0.999);
    expect(cosineSimilarity(forward, backward)).toBeGreaterThan(0.3);
  });

  it('ranks a paraphrase that shares words above unrelated text', async () => {
    const [query, paraphrase, unrelated] = await new HashingEmbedder().embed([
      'how do I reset my password',
      'steps to reset a forgotten password',
      'the weather in Paris is sunny in spring',
    ]);
    expect(cosineSimilarity(query, paraphrase)).toBeGreaterThan(cosineSimilarity(query, unrelated));
    expect(cosineSimilarity(query, paraphrase)).toBeGreaterThan(0.1);
  });

  it.each([
    [{ dimension: 0 }, 'dimension'],
    [{ dimension: 1.5 }, 'dimension'],
    [{ dimension: '256' }, 'dimension'],
    [{ dimensions: 256 }, 'dimensions'],
  ])('rejects the config %j naming the class and the option', (config, option) => {
    const attempt = () => new HashingEmbedder(config as never);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/^HashingEmbedder: .*dimension/);
    expect(attempt).toThrow(new RegExp(`"${option}"`));
  });
});
