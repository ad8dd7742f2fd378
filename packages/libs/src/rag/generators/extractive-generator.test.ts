import { runOperator } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import type { RetrievedDocument } from '../contracts.js';
import { ExtractiveGenerator, NO_ANSWER } from './extractive-generator.js';

const quiet = { logLevel: 'silent' as const, handleSignals: false };

/** Retrieved documents, best first, with descending scores. */
function retrieved(...texts: Array<[id: string, text: string]>): RetrievedDocument[] {
  return texts.map(([id, text], rank) => ({ id, text, score: 1 - rank / 10, metadata: {} }));
}

const australia = retrieved(
  [
    'sydney',
    'Sydney is the largest city in Australia and home to the Opera House. ' +
      'The capital of Australia is Canberra, chosen as a compromise between Sydney and Melbourne. ' +
      'Its harbour bridge opened in 1932.',
  ],
  ['states', 'Australia has six states and two mainland territories. The population is about 27 million.'],
  ['france', 'Paris is the capital of France.'],
);

describe('ExtractiveGenerator', () => {
  it('answers with the sentence that best supports the question, with a marker and a citation', () => {
    const generation = new ExtractiveGenerator({ maxSentences: 1 }).answer('What is the capital of Australia?', australia);

    expect(generation.text).toBe('The capital of Australia is Canberra, chosen as a compromise between Sydney and Melbourne. [1]');
    expect(generation.citations).toEqual([{ id: 'sydney' }]);
  });

  it('weighs rare question words above common ones', () => {
    // "whale" is in every sentence, "Ahab" in one: the sentence naming him answers the question.
    const documents = retrieved(
      ['whales', 'The whale is a large animal. A whale breathes air. Every whale needs the sea.'],
      ['novel', 'In the novel the whale is hunted by Captain Ahab, who lost his leg to the whale.'],
    );
    const generation = new ExtractiveGenerator({ maxSentences: 1 }).answer('Which whale did Ahab hunt?', documents);

    expect(generation.text).toMatch(/^In the novel the whale is hunted by Captain Ahab/);
    expect(generation.citations).toEqual([{ id: 'novel' }]);
  });

  it('prefers the sentence of the higher-ranked document when the support is the same', () => {
    const sentence = 'The bridge opened in 1932.';
    const documents = retrieved(['first', sentence], ['second', sentence], ['third', sentence]);
    const reversed = retrieved(['third', sentence], ['second', sentence], ['first', sentence]);
    const generator = new ExtractiveGenerator();

    expect(generator.answer('When did the bridge open?', documents).citations).toEqual([{ id: 'first' }]);
    expect(generator.answer('When did the bridge open?', reversed).citations).toEqual([{ id: 'third' }]);
  });

  it('marks each quote with the rank of its document in the retrieved list, as the prompt context numbers them', () => {
    const documents = retrieved(
      ['weather', 'It rained all week.'],
      ['canberra', 'Canberra became the capital of Australia in 1913.'],
      ['design', 'Canberra was designed by Walter Burley Griffin and Marion Mahony Griffin.'],
    );
    const generation = new ExtractiveGenerator().answer('Who designed Canberra, the capital?', documents);

    const markers = [...generation.text.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));
    expect([...markers].sort()).toEqual([2, 3]); // weather (rank 1) is not quoted
    expect(generation.citations).toHaveLength(2);
    expect(generation.citations.map((citation) => documents.findIndex((document) => document.id === citation.id) + 1)).toEqual(markers);
    expect(generation.citations.map((citation) => citation.id).sort()).toEqual(['canberra', 'design']);
    // Each marker follows a sentence of the document it cites.
    for (const [index, citation] of generation.citations.entries()) {
      const quoted = generation.text.split(/ \[\d+\] ?/)[index]!;
      expect(documents.find((document) => document.id === citation.id)!.text).toContain(quoted);
    }
  });

  it('cites a document once when two of its sentences are quoted', () => {
    const documents = retrieved(['canberra', 'Canberra is the capital. The capital has a lake. Dogs bark.']);
    const generation = new ExtractiveGenerator().answer('capital', documents);

    expect(generation.text).toBe('Canberra is the capital. [1] The capital has a lake. [1]');
    expect(generation.citations).toEqual([{ id: 'canberra' }]);
  });

  it('quotes at most maxSentences, leaving out the weakly supported ones', () => {
    const text = 'Canberra is the capital of Australia. Canberra has a lake. Canberra has a zoo. The capital moved in 1927.';
    const documents = retrieved(['canberra', text]);
    const sentencesIn = (answer: string) => answer.split(/ \[\d+\]/).filter((part) => part.trim() !== '').length;

    // Three sentences name Canberra about equally well.
    expect(sentencesIn(new ExtractiveGenerator().answer('Canberra', documents).text)).toBe(2);
    expect(sentencesIn(new ExtractiveGenerator({ maxSentences: 3 }).answer('Canberra', documents).text)).toBe(3);
    // Only the first sentence has both "capital" and "Australia"; the others score under half of it.
    expect(new ExtractiveGenerator({ maxSentences: 4 }).answer('capital of Australia', documents).text).toBe(
      'Canberra is the capital of Australia. [1]',
    );
  });

  it('says plainly when the context does not support an answer', () => {
    const generator = new ExtractiveGenerator();
    expect(generator.answer('Who painted the Mona Lisa?', australia)).toEqual({ text: NO_ANSWER, citations: [] });
    expect(generator.answer('What is the capital of Australia?', [])).toEqual({ text: NO_ANSWER, citations: [] });
    expect(generator.answer('What is it?', australia)).toEqual({ text: NO_ANSWER, citations: [] });
  });

  it('is deterministic', () => {
    const question = 'What is the capital of Australia and its population?';
    const answers = Array.from({ length: 5 }, () => new ExtractiveGenerator().answer(question, structuredClone(australia)));
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]!.citations.length).toBeGreaterThan(0);
  });

  it('generate() takes the question from options.query, else from the last user message', async () => {
    const generator = new ExtractiveGenerator({ maxSentences: 1 });
    const expected = generator.answer('capital of Australia', australia);
    const tokens: string[] = [];

    const fromQuery = await generator.generate([], { query: 'capital of Australia', context: australia, onToken: (token) => tokens.push(token) });
    const fromMessages = await generator.generate(
      [
        { role: 'user', content: 'Who painted the Mona Lisa?' },
        { role: 'assistant', content: 'I do not know.' },
        { role: 'user', content: 'capital of Australia' },
      ],
      { context: australia },
    );
    expect(fromQuery).toEqual(expected);
    expect(fromMessages).toEqual(expected);
    expect(tokens).toEqual([expected.text]);
  });

  it('as an operator adds generated, citations, generator and its timing; other fields pass through', async () => {
    const records = [
      { query: 'What is the capital of Australia?', retrievalResults: australia, relevantIds: ['sydney'] },
      { query: 'Who painted the Mona Lisa?', retrievalResults: australia, prompt: [{ role: 'user', content: 'x' }] },
      { query: 'capital?', retrievalResults: [] },
    ];
    const { output } = await runOperator('map', ExtractiveGenerator, { records, config: { maxSentences: 1 }, environment: quiet });

    expect(output).toHaveLength(3);
    const generator = new ExtractiveGenerator({ maxSentences: 1 });
    for (const [index, record] of output.entries()) {
      const expected = generator.answer(records[index]!.query, records[index]!.retrievalResults);
      expect(record).toMatchObject({ ...records[index], generated: expected.text, citations: expected.citations, generator: 'extractive' });
      expect(record.timings.ExtractiveGenerator).toBeGreaterThanOrEqual(0);
      expect(record.usage).toBeUndefined();
    }
    expect(output[0].citations).toEqual([{ id: 'sydney' }]);
    expect(output[1].generated).toBe(NO_ANSWER);
  });

  it('handles an empty stream', async () => {
    const { output } = await runOperator('map', ExtractiveGenerator, { records: [], environment: quiet });
    expect(output).toEqual([]);
  });

  it('rejects a record without retrievalResults, naming the class and the field', async () => {
    const generator = new ExtractiveGenerator();
    await expect(generator.execute({ query: 'q' })).rejects.toThrow(/^ExtractiveGenerator: record\.retrievalResults: /);
    await expect(generator.execute({ query: 'q', retrievalResults: [{ id: 'a', score: 1 }] })).rejects.toThrow(
      /^ExtractiveGenerator: record\.retrievalResults\.0\.text: /,
    );
    await expect(generator.execute({ retrievalResults: [] })).rejects.toThrow(/^ExtractiveGenerator: record\.query: /);
  });

  it('rejects a bad config naming the class and the option', () => {
    expect(() => new ExtractiveGenerator({ maxSentences: 0 })).toThrow(/^ExtractiveGenerator: option "maxSentences": /);
    expect(() => new ExtractiveGenerator({ minRelativeScore: 2 })).toThrow(/^ExtractiveGenerator: option "minRelativeScore": /);
    expect(() => new ExtractiveGenerator({ topK: 3 } as never)).toThrow(/^ExtractiveGenerator: config: .*"topK"/);
  });
});
