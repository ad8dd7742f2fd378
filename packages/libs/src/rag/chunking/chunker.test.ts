import { OperatorError, ValidationError } from '@sage/common';
import { runOperator } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import { chunkId } from './chunk.js';
import { Chunker, type ChunkerConfig, type ChunkRecord } from './chunker.js';
import { SentenceSplitter } from './sentence-splitter.js';

async function chunk(records: unknown[], config?: ChunkerConfig): Promise<ChunkRecord[]> {
  const { output } = await runOperator<unknown, ChunkRecord>('flatMap', Chunker, { records, config });
  return output;
}

const GUIDE = { id: 'guide', text: 'Green tea is steamed. Black tea is oxidised. Both come from one plant.', metadata: { lang: 'en' } };

describe('Chunker', () => {
  it('emits nothing for no records, and no chunks for an empty text', async () => {
    expect(await chunk([])).toEqual([]);
    expect(await chunk([{ id: 'empty', text: '' }])).toEqual([]);
  });

  it('splits one document into chunk documents with stable ids, source metadata and timings', async () => {
    const output = await chunk([{ ...GUIDE, source: 'web', timings: { Loader: 2 } }], {
      splitter: 'sentence',
      chunkSize: 45,
      overlapSentences: 0,
    });
    // Sentences end at 21, 44 and 70; the first two span 44 <= 45 characters, the third starts at 45.
    expect(output.map((record) => record.text)).toEqual(['Green tea is steamed. Black tea is oxidised.', 'Both come from one plant.']);
    expect(output.map((record) => record.id)).toEqual([
      chunkId('guide', 0, 'Green tea is steamed. Black tea is oxidised.'),
      chunkId('guide', 1, 'Both come from one plant.'),
    ]);
    expect(output.map((record) => record.metadata)).toEqual([
      { lang: 'en', sourceId: 'guide', chunkIndex: 0, start: 0 },
      { lang: 'en', sourceId: 'guide', chunkIndex: 1, start: 45 },
    ]);
    for (const record of output) {
      expect(record).toMatchObject({ source: 'web', timings: { Loader: 2 } });
      expect(record.timings.Chunker).toBeGreaterThanOrEqual(0);
    }
  });

  it('gives the same chunks as the splitter used on its own', async () => {
    const output = await chunk([GUIDE], { splitter: 'sentence', chunkSize: 30 });
    const direct = await new SentenceSplitter({ chunkSize: 30 }).split(GUIDE);
    expect(output.map(({ id, text, metadata }) => ({ id, text, metadata }))).toEqual(direct);
  });

  it('splits many documents, with the same ids on every run', async () => {
    const documents = Array.from({ length: 50 }, (_, index) => ({ id: `doc-${index}`, text: `Document ${index}. `.repeat(20) }));
    const first = await chunk(documents, { splitter: 'recursive', chunkSize: 100, chunkOverlap: 20 });
    const second = await chunk(documents, { splitter: 'recursive', chunkSize: 100, chunkOverlap: 20 });
    expect(first.length).toBeGreaterThan(documents.length);
    expect(new Set(first.map((record) => record.id)).size).toBe(first.length);
    expect(second.map((record) => record.id)).toEqual(first.map((record) => record.id));
    for (const record of first) {
      expect(record.text.length).toBeLessThanOrEqual(100);
      const source = documents.find((document) => document.id === record.metadata.sourceId)!;
      expect(source.text.slice(record.metadata.start, record.metadata.start! + record.text.length)).toBe(record.text);
    }
  });

  it('uses the recursive splitter by default and the character splitter when asked', async () => {
    const records = [{ id: 'd', text: 'aaaa bbbb cccc' }];
    // Recursive, size 10: no newline, so it splits at spaces: "aaaa" + " bbbb" = 9, + " cccc" = 14 > 10.
    const recursive = await chunk(records, { chunkSize: 10, chunkOverlap: 0 });
    expect(recursive.map((record) => record.text)).toEqual(['aaaa bbbb', 'cccc']);
    // Character, default separator "\n\n": the text is one piece, kept whole although longer than 10.
    const character = await chunk(records, { splitter: 'character', chunkSize: 10, chunkOverlap: 0 });
    expect(character.map((record) => record.text)).toEqual(['aaaa bbbb cccc']);
  });

  it('fails on a record that is not a document, naming the operator and the field', async () => {
    const chunker = new Chunker();
    await expect(chunker.execute({ id: 'd', text: 42 } as never)).rejects.toThrow(ValidationError);
    await expect(chunker.execute({ id: 'd', text: 42 } as never)).rejects.toThrow('Chunker: record.text: ');
    await expect(chunker.execute({ text: 'x' } as never)).rejects.toThrow('Chunker: record.id: ');
    const failure = chunk([{ id: 'd', text: 'ok' }, { id: 'e', text: 'x', metadata: 'none' }]);
    await expect(failure).rejects.toThrow(OperatorError);
    await expect(failure).rejects.toThrow('Chunker: record.metadata: ');
  });

  it('checks its config, naming the class and the option', () => {
    expect(() => new Chunker({ splitter: 'token' } as never)).toThrow(ValidationError);
    expect(() => new Chunker({ splitter: 'token' } as never)).toThrow('Chunker: option "splitter": ');
    expect(() => new Chunker({ chunkSize: 100, chunkOverlap: 100 })).toThrow(
      'Chunker: option "chunkOverlap": must be smaller than chunkSize (100 >= 100)',
    );
    expect(() => new Chunker({ splitter: 'character', chunkSize: -5 })).toThrow('Chunker: option "chunkSize": ');
    // Sentence overlap is counted in sentences, under its own name.
    expect(() => new Chunker({ splitter: 'sentence', chunkOverlap: 1 } as never)).toThrow('Chunker: config: Unrecognized key: "chunkOverlap"');
  });
});
