import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { RecordingEmbedder } from './__fixtures__/recording-embedder.js';
import { embedInBatches } from './embed-in-batches.js';
import { EmbeddingError } from './embedding-error.js';

describe('embedInBatches', () => {
  it('makes no call for no texts', async () => {
    const embedder = new RecordingEmbedder();
    expect(await embedInBatches(embedder, [], 4)).toEqual([]);
    expect(embedder.batches).toEqual([]);
  });

  it('embeds one text in one call', async () => {
    const embedder = new RecordingEmbedder();
    const [vector] = await embedInBatches(embedder, ['only'], 4);
    expect(embedder.batches).toEqual([['only']]);
    expect(Array.from(vector)).toEqual(await embedder.expected('only'));
  });

  it('splits a big input into batches and keeps the order', async () => {
    const embedder = new RecordingEmbedder();
    const texts = Array.from({ length: 10 }, (_, index) => `text ${index}`);
    const vectors = await embedInBatches(embedder, texts, 4);
    expect(embedder.batches.map((batch) => batch.length)).toEqual([4, 4, 2]);
    expect(embedder.embedded).toEqual(texts);
    for (const [index, text] of texts.entries()) expect(Array.from(vectors[index])).toEqual(await embedder.expected(text));
  });

  it('embeds identical texts once but gives each position its own array', async () => {
    const embedder = new RecordingEmbedder();
    const vectors = await embedInBatches(embedder, ['a', 'b', 'a', 'a'], 2);
    expect(embedder.embedded).toEqual(['a', 'b']);
    expect(Array.from(vectors[2])).toEqual(Array.from(vectors[0]));
    expect(vectors[2]).not.toBe(vectors[0]);
    vectors[0][0] = 42;
    expect(vectors[3][0]).not.toBe(42);
  });

  it('fails with an EmbeddingError when the embedder returns the wrong number of vectors', async () => {
    const broken = { name: 'broken', embed: async () => [new Float32Array(2)] };
    await expect(embedInBatches(broken, ['a', 'b'], 8)).rejects.toThrow(EmbeddingError);
    await expect(embedInBatches(broken, ['a', 'b'], 8)).rejects.toThrow('broken: returned 1 vectors for 2 texts');
  });

  it('passes on an error of the embedder', async () => {
    const failing = {
      name: 'failing',
      embed: async () => {
        throw new Error('model crashed');
      },
    };
    await expect(embedInBatches(failing, ['a'], 8)).rejects.toThrow('model crashed');
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects batchSize %s', async (batchSize) => {
    await expect(embedInBatches(new RecordingEmbedder(), ['a'], batchSize)).rejects.toThrow(ValidationError);
    await expect(embedInBatches(new RecordingEmbedder(), ['a'], batchSize)).rejects.toThrow(/batchSize/);
  });
});
