import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { RecordingEmbedder } from './__fixtures__/recording-embedder.js';
import { CachedEmbedder } from './cached-embedder.js';
import { EmbeddingCache } from './embedding-cache.js';

describe('CachedEmbedder', () => {
  it('takes the name and dimension of the embedder it wraps', () => {
    const cached = new CachedEmbedder(new RecordingEmbedder('inner', 8));
    expect(cached.name).toBe('inner');
    expect(cached.dimension).toBe(8);
  });

  it('embeds nothing for no texts', async () => {
    const inner = new RecordingEmbedder();
    const cached = new CachedEmbedder(inner);
    expect(await cached.embed([])).toEqual([]);
    expect(inner.batches).toEqual([]);
    expect([cached.hits, cached.misses]).toEqual([0, 0]);
  });

  it('answers a text seen before from the cache', async () => {
    const inner = new RecordingEmbedder();
    const cached = new CachedEmbedder(inner);
    const [first] = await cached.embed(['hello world']);
    const [second] = await cached.embed(['hello world']);
    expect(inner.embedded).toEqual(['hello world']);
    expect([cached.hits, cached.misses]).toEqual([1, 1]);
    expect(Array.from(second)).toEqual(Array.from(first));
    expect(Array.from(second)).toEqual(await inner.expected('hello world'));
  });

  it('sends only the missing texts, once each, and keeps the order', async () => {
    const inner = new RecordingEmbedder();
    const cached = new CachedEmbedder(inner);
    await cached.embed(['a', 'b']);
    const vectors = await cached.embed(['c', 'a', 'c', 'd', 'b']);
    expect(inner.batches).toEqual([['a', 'b'], ['c', 'd']]);
    expect([cached.hits, cached.misses]).toEqual([3, 4]);
    const expected = await Promise.all(['c', 'a', 'c', 'd', 'b'].map((text) => inner.expected(text)));
    expect(vectors.map((vector) => Array.from(vector))).toEqual(expected);
  });

  it('sends the missing texts in batches of batchSize', async () => {
    const inner = new RecordingEmbedder();
    const cached = new CachedEmbedder(inner, { batchSize: 3 });
    await cached.embed(['1', '2', '3', '4', '5', '6', '7']);
    expect(inner.batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
  });

  it('hands out copies, so changing a vector does not change the cache', async () => {
    const inner = new RecordingEmbedder();
    const cached = new CachedEmbedder(inner);
    const [first] = await cached.embed(['text']);
    first.fill(0);
    const [second] = await cached.embed(['text']);
    expect(Array.from(second)).toEqual(await inner.expected('text'));
  });

  it('evicts the least recently used text beyond maxEntries', async () => {
    const inner = new RecordingEmbedder();
    const cached = new CachedEmbedder(inner, { maxEntries: 2 });
    await cached.embed(['a', 'b']);
    await cached.embed(['a']); // a is now more recent than b
    await cached.embed(['c']); // evicts b
    expect(cached.cache.size).toBe(2);
    await cached.embed(['a', 'c']);
    expect(inner.embedded).toEqual(['a', 'b', 'c']);
    await cached.embed(['b']);
    expect(inner.embedded).toEqual(['a', 'b', 'c', 'b']);
  });

  it('returns every vector of a call larger than the cache', async () => {
    const inner = new RecordingEmbedder();
    const cached = new CachedEmbedder(inner, { maxEntries: 2 });
    const texts = ['a', 'b', 'c', 'd'];
    const vectors = await cached.embed(texts);
    expect(vectors.map((vector) => Array.from(vector))).toEqual(await Promise.all(texts.map((text) => inner.expected(text))));
    expect(cached.cache.size).toBe(2);
  });

  it('keeps the entries of different embedders apart in a shared cache', async () => {
    const cache = new EmbeddingCache({ maxEntries: 10 });
    const small = new RecordingEmbedder('small', 8);
    const large = new RecordingEmbedder('large', 32);
    const cachedSmall = new CachedEmbedder(small, { cache });
    const cachedLarge = new CachedEmbedder(large, { cache });
    const [fromSmall] = await cachedSmall.embed(['same text']);
    const [fromLarge] = await cachedLarge.embed(['same text']);
    expect(large.embedded).toEqual(['same text']);
    expect([fromSmall.length, fromLarge.length]).toEqual([8, 32]);
    expect(cache.size).toBe(2);
    await cachedLarge.embed(['same text']);
    expect(cachedLarge.hits).toBe(1);
  });

  it('passes on an error of the embedder and caches nothing', async () => {
    const failing = new RecordingEmbedder();
    failing.embed = async () => {
      throw new Error('model crashed');
    };
    const cached = new CachedEmbedder(failing);
    await expect(cached.embed(['a'])).rejects.toThrow('model crashed');
    expect(cached.cache.size).toBe(0);
  });

  it('forwards init and close', async () => {
    const calls: string[] = [];
    const inner = new RecordingEmbedder();
    inner.init = async () => void calls.push('init');
    Object.assign(inner, { close: async () => void calls.push('close') });
    const cached = new CachedEmbedder(inner);
    await cached.init();
    await cached.close();
    expect(calls).toEqual(['init', 'close']);
  });

  it.each([
    [{ maxEntries: 0 }, 'maxEntries'],
    [{ batchSize: -1 }, 'batchSize'],
    [{ cache: {} }, 'cache'],
    [{ maxEntries: 5, cache: new EmbeddingCache() }, 'maxEntries'],
    [{ size: 5 }, 'size'],
  ])('rejects the config %o naming the class and the option', (config, option) => {
    const attempt = () => new CachedEmbedder(new RecordingEmbedder(), config as never);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/^CachedEmbedder: /);
    expect(attempt).toThrow(new RegExp(`"${option}"`));
  });
});

describe('EmbeddingCache', () => {
  it('rejects a bad maxEntries naming the class and the option', () => {
    expect(() => new EmbeddingCache({ maxEntries: 1.5 })).toThrow(/^EmbeddingCache: option "maxEntries"/);
  });

  it('clear() empties it', () => {
    const cache = new EmbeddingCache();
    cache.set('e', 'text', new Float32Array(2));
    cache.clear();
    expect(cache.get('e', 'text')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
