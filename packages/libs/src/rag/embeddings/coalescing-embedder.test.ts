import { describe, expect, it } from 'vitest';
import { CoalescingEmbedder } from './coalescing-embedder.js';
import type { Embedder } from './embedder.js';
import { HashingEmbedder } from './hashing-embedder.js';

/** A real embedder that records the size of every call it receives. */
function counted(inner: Embedder, calls: number[]): Embedder {
  return {
    name: inner.name,
    get dimension() {
      return inner.dimension;
    },
    init: () => inner.init(),
    embed: (texts) => {
      calls.push(texts.length);
      return inner.embed(texts);
    },
  };
}

describe('CoalescingEmbedder', () => {
  it('embeds calls made together in one call of the model, each caller getting its own vectors', async () => {
    const hashing = new HashingEmbedder({ dimension: 64 });
    const calls: number[] = [];
    const embedder = new CoalescingEmbedder(counted(hashing, calls));
    expect(embedder.name).toBe('hashing-64');
    expect(embedder.dimension).toBe(64);
    const inputs = [['reset my password'], ['orders ship fast', 'refunds take a week'], ['the white whale']];
    const answers = await Promise.all(inputs.map((texts) => embedder.embed(texts)));
    expect(calls).toEqual([4]);
    for (const [index, texts] of inputs.entries()) {
      expect(answers[index]).toEqual(await hashing.embed(texts));
    }
    // Calls in later turns are separate batches.
    await embedder.embed(['one']);
    await embedder.embed(['two']);
    expect(calls).toEqual([4, 1, 1]);
  });

  it('rejects every caller of a failed batch, and recovers for the next', async () => {
    let fail = true;
    const hashing = new HashingEmbedder({ dimension: 8 });
    const embedder = new CoalescingEmbedder({
      name: 'flaky',
      dimension: 8,
      init: () => Promise.resolve(),
      embed: (texts) => (fail ? Promise.reject(new Error('model crashed')) : hashing.embed(texts)),
    });
    const both = [embedder.embed(['a']), embedder.embed(['b'])];
    for (const result of both) await expect(result).rejects.toThrow('model crashed');
    fail = false;
    expect(await embedder.embed(['a'])).toHaveLength(1);
  });
});
