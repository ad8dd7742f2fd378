import { ValidationError } from '@sage/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddingsServer } from './__fixtures__/embeddings-server.js';
import { CachedEmbedder } from './cached-embedder.js';
import { createEmbedder, type EmbedderConfig } from './create-embedder.js';
import { HashingEmbedder } from './hashing-embedder.js';
import { OpenAIEmbedder } from './openai-embedder.js';
import { UseLiteEmbedder } from './use-lite-embedder.js';

describe('createEmbedder', () => {
  it('defaults to a cached USE-lite embedder (without loading it)', () => {
    const embedder = createEmbedder();
    expect(embedder).toBeInstanceOf(CachedEmbedder);
    expect((embedder as CachedEmbedder).embedder).toBeInstanceOf(UseLiteEmbedder);
    expect(embedder.name).toBe('use-lite');
    expect(createEmbedder({ provider: 'use-lite', batchSize: 8 }).name).toBe('use-lite');
  });

  it('builds a hashing embedder with its options', async () => {
    const embedder = createEmbedder({ provider: 'hashing', dimension: 64 });
    expect(embedder.name).toBe('hashing-64');
    const [vector] = await embedder.embed(['some words']);
    const [direct] = await new HashingEmbedder({ dimension: 64 }).embed(['some words']);
    expect(Array.from(vector)).toEqual(Array.from(direct));
  });

  it('leaves the cache out with cache: false and sizes it with cache: { maxEntries }', () => {
    expect(createEmbedder({ provider: 'hashing', cache: false })).toBeInstanceOf(HashingEmbedder);
    const cached = createEmbedder({ provider: 'hashing', cache: { maxEntries: 3 } }) as CachedEmbedder;
    expect(cached.cache.maxEntries).toBe(3);
  });

  describe('openai', () => {
    let server: EmbeddingsServer;
    beforeEach(async () => {
      server = await new EmbeddingsServer().start();
    });
    afterEach(async () => {
      await server.stop();
    });

    it('builds a cached OpenAI embedder that calls the endpoint once per distinct text', async () => {
      const embedder = createEmbedder({ provider: 'openai', model: 'm', baseURL: server.baseURL });
      expect(embedder).toBeInstanceOf(CachedEmbedder);
      expect((embedder as CachedEmbedder).embedder).toBeInstanceOf(OpenAIEmbedder);
      expect(embedder.name).toBe('openai:m');
      await embedder.embed(['a', 'b']);
      await embedder.embed(['b', 'a']);
      expect(server.requests.map((request) => request.body.input)).toEqual([['a', 'b']]);
    });
  });

  it('rejects an unknown provider, listing the known ones', () => {
    const attempt = () => createEmbedder({ provider: 'word2vec' } as never);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow('createEmbedder: unknown provider "word2vec" (known: use-lite, hashing, openai, onnx)');
    expect(() => createEmbedder({ provider: 7 } as never)).toThrow('unknown provider 7');
    expect(() => createEmbedder({ provider: 'toString' } as never)).toThrow('unknown provider "toString"');
  });

  it.each([
    [{ provider: 'hashing', dimension: -1 }, /^HashingEmbedder: option "dimension"/],
    [{ provider: 'hashing', model: 'x' }, /^HashingEmbedder: .*"model"/],
    [{ provider: 'use-lite', dimension: 512 }, /^UseLiteEmbedder: .*"dimension"/],
    [{ provider: 'openai' }, /^OpenAIEmbedder: option "model"/],
    [{ provider: 'onnx' }, /^OnnxEmbedder: option "modelPath"/],
    [{ provider: 'hashing', cache: 'yes' }, /^createEmbedder: option "cache": expected true, false or \{ maxEntries \}/],
    [{ provider: 'hashing', cache: { maxEntries: 0 } }, /^createEmbedder: option "cache.maxEntries"/],
  ])('rejects %o naming the class and the option', (config, message) => {
    const attempt = () => createEmbedder(config as EmbedderConfig);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(message);
  });

  it('rejects a config that is not an object', () => {
    expect(() => createEmbedder('hashing' as never)).toThrow(/^createEmbedder: config must be an object/);
  });
});
