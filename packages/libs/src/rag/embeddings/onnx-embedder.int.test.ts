import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ValidationError } from '@sage/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutNetwork } from './__fixtures__/without-network.js';
import { idOf, type TinyModel, type Word, writeTinyCrossEncoder, writeTinyEmbeddingModel } from './__fixtures__/tiny-onnx-model.js';
import { CachedEmbedder } from './cached-embedder.js';
import { createEmbedder } from './create-embedder.js';
import { EmbeddingError } from './embedding-error.js';
import { OnnxEmbedder, type OnnxEmbedderConfig } from './onnx-embedder.js';

/** transformers.js and onnxruntime-node load in about a second alone, more on a busy machine. */
const MODEL_TIMEOUT_MS = 120_000;

let root: string;
let tiny: TinyModel;
let embedder: OnnxEmbedder;
let networkAttempts: string[];

/** The token ids the tokenizer gives a text made of `words`: `[CLS] words [SEP]`. */
const tokens = (...words: Word[]) => [idOf('[CLS]'), ...words.map(idOf), idOf('[SEP]')];

function meanRow(ids: number[]): number[] {
  return tiny.table[0]!.map((_, d) => ids.reduce((sum, id) => sum + tiny.table[id]![d]!, 0) / ids.length);
}

function unit(vector: number[]): number[] {
  const length = Math.hypot(...vector);
  return vector.map((value) => value / length);
}

function expectVector(actual: Float32Array, expected: number[]): void {
  expect(Array.from(actual)).toEqual(expected.map((value) => expect.closeTo(value, 5)));
}

/** A copy of the tiny model, changed by `change`, for the error cases. */
function brokenCopy(name: string, change: (directory: string) => void): string {
  const directory = join(root, name);
  cpSync(tiny.directory, directory, { recursive: true });
  change(directory);
  return directory;
}

const texts: Array<[string, number[]]> = [
  ['Reset my password?', tokens('reset', 'my', 'password', '?')],
  ['Orders ship within two days.', tokens('orders', 'ship', 'within', 'two', 'days', '.')],
  ['refunds', tokens('refund', '##s')],
  ['the zebra', tokens('the', '[UNK]')],
];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sage-onnx-embedder-'));
  tiny = writeTinyEmbeddingModel(join(root, 'tiny-embedder'));
  // Any attempt to reach the network during the load fails loudly and is recorded.
  networkAttempts = await withoutNetwork(async () => {
    embedder = new OnnxEmbedder({ modelPath: tiny.directory, threads: 1 });
    expect(() => embedder.dimension).toThrow(/onnx:tiny-embedder: the dimension is read from the model: call init\(\) or embed\(\) first/);
    await Promise.all([embedder.init(), embedder.init()]);
  });
}, MODEL_TIMEOUT_MS);

afterAll(async () => {
  await embedder?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('OnnxEmbedder', () => {
  it('loads the directory without touching the network; the dimension comes from the model', () => {
    expect(networkAttempts).toEqual([]);
    expect(embedder.name).toBe('onnx:tiny-embedder');
    expect(embedder.directory).toBe(tiny.directory);
    expect(embedder.dimension).toBe(8);
  });

  it('gives each text the normalised mean of its tokens’ rows, the same in a padded batch as alone', async () => {
    const together = await embedder.embed(texts.map(([text]) => text));
    for (const [index, [text, ids]] of texts.entries()) {
      expectVector(together[index]!, unit(meanRow(ids)));
      const [alone] = await embedder.embed([text]);
      expectVector(alone!, Array.from(together[index]!));
    }
    expect(Math.hypot(...together[0]!)).toBeCloseTo(1, 5);
  });

  it('returns the plain mean with normalize: false, and the first token’s row with pooling: cls', async () => {
    const plain = new OnnxEmbedder({ modelPath: tiny.directory, normalize: false, threads: 1 });
    const cls = new OnnxEmbedder({ modelPath: tiny.directory, pooling: 'cls', threads: 1 });
    try {
      const [[text, ids]] = texts;
      expectVector((await plain.embed([text]))[0]!, meanRow(ids));
      const vectors = await cls.embed(texts.map(([each]) => each));
      for (const vector of vectors) expectVector(vector, unit(tiny.table[idOf('[CLS]')]!));
      // Options that change the vectors change the name (cache keys, a collection's recorded embedder).
      expect(plain.name).toBe('onnx:tiny-embedder+unnormalized');
      expect(cls.name).toBe('onnx:tiny-embedder+cls');
      expect(new OnnxEmbedder({ modelPath: tiny.directory, dtype: 'q8' }).name).toBe('onnx:tiny-embedder+model_quantized');
    } finally {
      await Promise.all([plain.close(), cls.close()]);
    }
  });

  it('embeds in batches of batchSize with the same vectors, and nothing for no texts', async () => {
    const small = new OnnxEmbedder({ modelPath: relative(process.cwd(), tiny.directory), batchSize: 3, threads: 1 });
    try {
      const many = [...texts, ...texts].map(([text], index) => `${text} ${'the '.repeat(index)}`);
      const split = await small.embed(many);
      const together = await embedder.embed(many);
      expect(split).toHaveLength(many.length);
      for (const [index, vector] of split.entries()) expectVector(vector, Array.from(together[index]!));
      expect(await small.embed([])).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('loads again after close()', async () => {
    const another = new OnnxEmbedder({ modelPath: tiny.directory, threads: 1 });
    const [before] = await another.embed(['reload me']);
    await another.close();
    const [after] = await another.embed(['reload me']);
    await another.close();
    expectVector(after!, Array.from(before!));
  });

  it('is the onnx provider of createEmbedder, cached', async () => {
    const created = createEmbedder({ provider: 'onnx', modelPath: tiny.directory, threads: 1 });
    expect(created).toBeInstanceOf(CachedEmbedder);
    const cached = created as CachedEmbedder;
    expect(cached.embedder).toBeInstanceOf(OnnxEmbedder);
    expect(created.name).toBe('onnx:tiny-embedder');
    try {
      const [first] = await created.embed(['reset my password']);
      const [again] = await created.embed(['reset my password']);
      expect(created.dimension).toBe(8);
      expect(cached.misses).toBe(1);
      expect(cached.hits).toBe(1);
      expectVector(again!, Array.from(first!));
    } finally {
      await created.close?.();
    }
  });

  describe('errors name the directory or the option', () => {
    const failsToLoad = async (config: OnnxEmbedderConfig, message: RegExp) => {
      const broken = new OnnxEmbedder({ threads: 1, ...config });
      const attempt = broken.init();
      await expect(attempt).rejects.toThrow(EmbeddingError);
      await expect(attempt).rejects.toThrow(message);
      expect(() => broken.dimension).toThrow(/call init\(\)/);
    };
    const escaped = (path: string) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

    it('a missing directory', async () => {
      const missing = join(root, 'no-such-model');
      await failsToLoad({ modelPath: missing }, new RegExp(`^onnx:no-such-model: cannot load the model: ${escaped(missing)}: no such model directory$`));
    });

    it('a missing tokenizer.json, then the directory once it is complete', async () => {
      const directory = brokenCopy('no-tokenizer', (path) => rmSync(join(path, 'tokenizer.json')));
      await failsToLoad({ modelPath: directory }, new RegExp(`${escaped(directory)}: missing tokenizer.json \\(a model directory holds config.json, tokenizer.json`));
      // A failed load is not remembered.
      const fixed = new OnnxEmbedder({ modelPath: directory, threads: 1 });
      await expect(fixed.init()).rejects.toThrow(/missing tokenizer.json/);
      cpSync(join(tiny.directory, 'tokenizer.json'), join(directory, 'tokenizer.json'));
      await fixed.init();
      expect(fixed.dimension).toBe(8);
      await fixed.close();
    });

    it('a missing variant of the weights', async () => {
      await failsToLoad({ modelPath: tiny.directory, dtype: 'q8' }, /tiny-embedder: missing onnx\/model_quantized.onnx/);
      await failsToLoad({ modelPath: tiny.directory, modelFileName: 'encoder' }, /tiny-embedder: missing onnx\/encoder.onnx/);
    });

    it('a model file that is not ONNX', async () => {
      const directory = brokenCopy('garbage', (path) => writeFileSync(join(path, 'onnx', 'model.onnx'), 'not a model'));
      await failsToLoad({ modelPath: directory }, new RegExp(`${escaped(directory)}: cannot load the model \\(onnx/model.onnx\\): `));
    });

    it('a model without token vectors (a classifier)', async () => {
      const classifier = writeTinyCrossEncoder(join(root, 'classifier')).directory;
      await failsToLoad({ modelPath: classifier }, new RegExp(`${escaped(classifier)}: the model does not run: expected an output last_hidden_state .* found logits \\[1, 1\\]`));
    });

    it.each([
      [{}, 'modelPath'],
      [{ modelPath: '' }, 'modelPath'],
      [{ modelPath: 'm', pooling: 'max' }, 'pooling'],
      [{ modelPath: 'm', normalise: true }, 'normalise'],
      [{ modelPath: 'm', threads: 0 }, 'threads'],
      [{ modelPath: 'm', batchSize: 0 }, 'batchSize'],
      [{ modelPath: 'm', dtype: 'fp64' }, 'dtype'],
      [{ modelPath: 'm', modelFileName: 'model.onnx' }, 'modelFileName'],
    ])('rejects the config %o naming the class and the option', (config, option) => {
      const attempt = () => new OnnxEmbedder(config as never);
      expect(attempt).toThrow(ValidationError);
      expect(attempt).toThrow(/^OnnxEmbedder: /);
      expect(attempt).toThrow(new RegExp(`"${option}"`));
    });
  });
});
