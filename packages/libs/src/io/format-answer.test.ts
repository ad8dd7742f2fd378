import { describe, expect, it } from 'vitest';
import { formatAnswer } from './format-answer.js';

describe('formatAnswer', () => {
  it('prints the question, the answer, the sources with the cited ones marked, and the timings', () => {
    const text = formatAnswer({
      query: 'What is the capital of Belgium?',
      generated: ' The capital of Belgium is Brussels. [1] ',
      retrievalResults: [
        { id: 'c1', text: 'x', score: 0.8234, metadata: { sourceId: 'be.md' } },
        { id: 'c2', text: 'y', score: 0.5, metadata: {} },
      ],
      citations: [{ id: 'c1' }],
      timings: { DenseRetriever: 3.1234, ExtractiveGenerator: 0.25 },
    });
    expect(text).toBe(
      [
        'Q: What is the capital of Belgium?',
        'A: The capital of Belgium is Brussels. [1]',
        '   sources: [1] be.md* 0.82 · [2] c2 0.50',
        '   timings: DenseRetriever 3.1 ms · ExtractiveGenerator 0.3 ms',
      ].join('\n'),
    );
  });

  it('leaves out what the record does not have', () => {
    expect(formatAnswer({ query: 'q', generated: 'a' })).toBe('Q: q\nA: a');
  });
});
