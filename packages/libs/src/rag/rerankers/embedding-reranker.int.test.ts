import { runOperator } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import type { RetrievedDocument, RetrievedRecord } from '../contracts.js';
import { EmbeddingReranker } from './embedding-reranker.js';

/** The default embedder, USE-lite, loads its bundled weights (well under a second alone, more on a busy machine). */
const MODEL_TIMEOUT_MS = 120_000;

const shuffled: RetrievedDocument[] = [
  { id: 'ship', text: 'Orders ship within two business days from our warehouse.', score: 0.9, metadata: {} },
  { id: 'whale', text: 'The white whale swam far beyond the ship into the cold ocean.', score: 0.8, metadata: {} },
  { id: 'pw', text: 'To reset your password open settings and choose reset password.', score: 0.1, metadata: {} },
];

describe('EmbeddingReranker with its default embedder (use-lite)', () => {
  it(
    'moves the document that means what the question asks to the top, without shared words',
    async () => {
      const { output } = await runOperator<unknown, RetrievedRecord>('map', EmbeddingReranker, {
        records: [{ query: 'I forgot my login credentials', retrievalResults: shuffled }],
      });
      expect(output[0]!.retrievalResults.map((result) => result.id)[0]).toBe('pw');
    },
    MODEL_TIMEOUT_MS,
  );
});
