import { ValidationError } from '@sage/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutNetwork } from './__fixtures__/without-network.js';
import { UseLiteEmbedder } from './use-lite-embedder.js';
import { cosineSimilarity } from './vectors.js';

/** Loading the model takes ~0.3 s alone, more on a busy machine. */
const MODEL_TIMEOUT_MS = 120_000;

let embedder: UseLiteEmbedder;
let networkAttempts: string[];

beforeAll(async () => {
  // Any attempt to reach the network during the load fails loudly and is recorded.
  networkAttempts = await withoutNetwork(async () => {
    embedder = new UseLiteEmbedder();
    await Promise.all([embedder.init(), embedder.init()]);
  });
}, MODEL_TIMEOUT_MS);

afterAll(async () => {
  await embedder?.close();
});

describe('UseLiteEmbedder', () => {
  it('loads from the npm package without touching the network', () => {
    expect(networkAttempts).toEqual([]);
    expect(embedder.name).toBe('use-lite');
  });

  it('returns one 512-d unit-length Float32Array per text', async () => {
    const vectors = await embedder.embed(['A short sentence.', 'Another one, a little longer than the first.']);
    expect(embedder.dimension).toBe(512);
    expect(vectors).toHaveLength(2);
    for (const vector of vectors) {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector.length).toBe(512);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 3);
    }
  });

  it('returns nothing for no texts', async () => {
    expect(await embedder.embed([])).toEqual([]);
  });

  it('ranks a paraphrase above an unrelated sentence', async () => {
    const [query, paraphrase, unrelated] = await embedder.embed([
      'How do I reset my password?',
      'Steps to recover a forgotten password',
      'The stock market closed higher on Friday.',
    ]);
    const toParaphrase = cosineSimilarity(query, paraphrase);
    const toUnrelated = cosineSimilarity(query, unrelated);
    expect(toParaphrase).toBeGreaterThan(toUnrelated + 0.1);
  });

  it('gives a text the same vector alone, in a batch, and across batches of batchSize', async () => {
    const texts = Array.from({ length: 7 }, (_, index) => `Sentence number ${index} talks about topic ${index % 3}.`);
    const together = await embedder.embed(texts);
    const split = await new UseLiteEmbedder({ batchSize: 3 }).embed(texts);
    const [alone] = await embedder.embed([texts[5]]);
    for (let i = 0; i < texts.length; i++) {
      expect(Array.from(split[i])).toEqual(Array.from(together[i]).map((value) => expect.closeTo(value, 5)));
    }
    expect(Array.from(alone)).toEqual(Array.from(together[5]).map((value) => expect.closeTo(value, 5)));
  }, MODEL_TIMEOUT_MS);

  it('embeds an empty text, alone and last in a batch, without losing a row', async () => {
    const [alone] = await embedder.embed(['']);
    const batch = await embedder.embed(['hello', '']);
    const [space] = await embedder.embed([' ']);
    expect(batch).toHaveLength(2);
    expect(Array.from(alone)).toEqual(Array.from(space));
    expect(Array.from(batch[1])).toEqual(Array.from(space).map((value) => expect.closeTo(value, 5)));
  });

  it('loads again after close()', async () => {
    const another = new UseLiteEmbedder();
    const [before] = await another.embed(['reload me']);
    await another.close();
    const [after] = await another.embed(['reload me']);
    await another.close();
    expect(Array.from(after)).toEqual(Array.from(before).map((value) => expect.closeTo(value, 5)));
  }, MODEL_TIMEOUT_MS);

  it.each([
    [{ batchSize: 0 }, 'batchSize'],
    [{ dimension: 512 }, 'dimension'],
  ])('rejects the config %o naming the class and the option', (config, option) => {
    const attempt = () => new UseLiteEmbedder(config as never);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/^UseLiteEmbedder: /);
    expect(attempt).toThrow(new RegExp(`"${option}"`));
  });
});
