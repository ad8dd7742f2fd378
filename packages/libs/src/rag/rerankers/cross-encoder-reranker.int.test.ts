import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@sage/common';
import { runOperator } from '@sage/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RetrievedDocument, RetrievedRecord } from '../contracts.js';
import { idOf, type TinyCrossEncoder, type Word, writeTinyCrossEncoder } from '../embeddings/__fixtures__/tiny-onnx-model.js';
import { CrossEncoderReranker } from './cross-encoder-reranker.js';

/** transformers.js and onnxruntime-node load in about a second alone, more on a busy machine. */
const MODEL_TIMEOUT_MS = 120_000;

const query = 'How do I reset my password?';
const queryWords: Word[] = ['how', 'do', 'i', 'reset', 'my', 'password', '?'];

/** The retrieval order; each document with the words its text tokenizes to. */
const sources: Array<{ id: string; text: string; words: Word[] }> = [
  { id: 'ship', text: 'Orders ship within two days.', words: ['orders', 'ship', 'within', 'two', 'days', '.'] },
  { id: 'whale', text: 'The whale and the ship.', words: ['the', 'whale', 'and', 'the', 'ship', '.'] },
  { id: 'refund', text: 'Refunds to your card.', words: ['refund', '##s', 'to', 'your', 'card', '.'] },
  { id: 'pw', text: 'To reset your password open settings and choose reset password.', words: ['to', 'reset', 'your', 'password', 'open', 'settings', 'and', 'choose', 'reset', 'password', '.'] },
];
const documents = sources.map((document, rank) => ({ ...document, score: 1 - rank / 10, metadata: { rank } }));
const retrievalResults: RetrievedDocument[] = documents.map(({ words: _, ...document }) => document);

let root: string;
let oneLogit: TinyCrossEncoder;
let twoLabels: TinyCrossEncoder;

/** The model's logits for the pair, by hand: the sum of the rows of `[CLS] query [SEP] document [SEP]` times the weights. */
function logits(model: TinyCrossEncoder, words: Word[]): number[] {
  const ids = ['[CLS]', ...queryWords, '[SEP]', ...words, '[SEP]'].map((word) => idOf(word as Word));
  const summed = model.table[0]!.map((_, d) => ids.reduce((sum, id) => sum + model.table[id]![d]!, 0));
  return model.weights[0]!.map((_, label) => summed.reduce((sum, value, d) => sum + value * model.weights[d]![label]!, 0));
}

const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));

/** The documents' ids and scores best first, by hand. */
function expectedRanking(score: (words: Word[]) => number): Array<{ id: string; score: number }> {
  return documents.map(({ id, words }) => ({ id, score: score(words) })).sort((a, b) => b.score - a.score);
}

async function rerank(records: unknown[], config: Record<string, unknown>) {
  const { output } = await runOperator<unknown, RetrievedRecord>('map', CrossEncoderReranker, {
    records,
    config: { threads: 1, ...config },
  });
  return output;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sage-cross-encoder-'));
  oneLogit = writeTinyCrossEncoder(join(root, 'one-logit'), 1);
  twoLabels = writeTinyCrossEncoder(join(root, 'two-labels'), 2);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('CrossEncoderReranker', () => {
  it(
    'orders the documents by the sigmoid of the model’s logit for each (query, document) pair, keeping topK',
    async () => {
      const expected = expectedRanking((words) => sigmoid(logits(oneLogit, words)[0]!));
      expect(expected.map((entry) => entry.id)).not.toEqual(documents.map((document) => document.id));
      const [record] = await rerank([{ query, retrievalResults, relevantIds: ['pw'] }], { modelPath: oneLogit.directory, topK: 3 });
      expect(record!.retrievalResults.map((result) => result.id)).toEqual(expected.slice(0, 3).map((entry) => entry.id));
      expect(record!.retrievalResults.map((result) => result.score)).toEqual(expected.slice(0, 3).map((entry) => expect.closeTo(entry.score, 5)));
      const kept = record!.retrievalResults[0]!;
      expect(kept.metadata).toEqual(retrievalResults.find((document) => document.id === kept.id)!.metadata);
      expect(record!.relevantIds).toEqual(['pw']);
      expect(record!.timings?.CrossEncoderReranker).toBeGreaterThanOrEqual(0);
    },
    MODEL_TIMEOUT_MS,
  );

  it('scores the same in batches of batchSize pairs as in one', async () => {
    const [whole] = await rerank([{ query, retrievalResults }], { modelPath: oneLogit.directory });
    const [batched] = await rerank([{ query, retrievalResults }], { modelPath: oneLogit.directory, batchSize: 3 });
    expect(batched!.retrievalResults.map((result) => result.id)).toEqual(whole!.retrievalResults.map((result) => result.id));
    expect(batched!.retrievalResults.map((result) => result.score)).toEqual(whole!.retrievalResults.map((result) => expect.closeTo(result.score, 5)));
    expect(whole!.retrievalResults).toHaveLength(4);
  });

  it('reads label 1 of a two-label model as "relevant": the softmax probability of label 1', async () => {
    const expected = expectedRanking((words) => {
      const [irrelevant, relevant] = logits(twoLabels, words);
      return Math.exp(relevant!) / (Math.exp(irrelevant!) + Math.exp(relevant!));
    });
    const [record] = await rerank([{ query, retrievalResults }], { modelPath: twoLabels.directory });
    expect(record!.retrievalResults.map((result) => result.id)).toEqual(expected.map((entry) => entry.id));
    expect(record!.retrievalResults.map((result) => result.score)).toEqual(expected.map((entry) => expect.closeTo(entry.score, 5)));
  });

  it('passes empty results through and runs no records', async () => {
    const output = await rerank([{ query: 'q', retrievalResults: [] }], { modelPath: oneLogit.directory, topK: 2 });
    expect(output[0]!.retrievalResults).toEqual([]);
    expect(await rerank([], { modelPath: oneLogit.directory })).toEqual([]);
  });

  it('validates its records, naming the class and the field', async () => {
    await expect(rerank([{ query: 'q' }], { modelPath: oneLogit.directory })).rejects.toThrow(/CrossEncoderReranker: record.retrievalResults/);
    const bad = rerank([{ query: 'q', retrievalResults: [{ id: 'a', text: 1, score: 0 }] }], { modelPath: oneLogit.directory });
    await expect(bad).rejects.toThrow(/CrossEncoderReranker: record.retrievalResults.0.text/);
  });

  it('fails the job when it opens on a missing directory or a model with more than two labels, naming the directory', async () => {
    const missing = join(root, 'no-such-model');
    await expect(rerank([{ query, retrievalResults }], { modelPath: missing })).rejects.toThrow(`${missing}: no such model directory`);
    const threeLabels = writeTinyCrossEncoder(join(root, 'three-labels'), 3).directory;
    await expect(rerank([{ query, retrievalResults }], { modelPath: threeLabels })).rejects.toThrow(
      `${threeLabels}: the model does not run: expected logits [batch, 1] or [batch, 2] (a relevance model), got [1, 3]`,
    );
  });

  it.each([
    [{}, 'modelPath'],
    [{ modelPath: 'm', topK: 0 }, 'topK'],
    [{ modelPath: 'm', batchSize: 1.5 }, 'batchSize'],
    [{ modelPath: 'm', threads: -1 }, 'threads'],
    [{ modelPath: 'm', embedder: 'hashing' }, 'embedder'],
  ])('rejects the config %o naming the class and the option', (config, option) => {
    const attempt = () => new CrossEncoderReranker(config as never);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/^CrossEncoderReranker: /);
    expect(attempt).toThrow(new RegExp(`"${option}"`));
  });
});
