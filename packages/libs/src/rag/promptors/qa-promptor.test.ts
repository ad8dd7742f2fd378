import { OperatorError, ValidationError } from '@sage/common';
import { runOperator } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, Timings } from '../contracts.js';
import { DEFAULT_QA_TEMPLATE, QAPromptor, type QAPromptorConfig } from './qa-promptor.js';

type Prompted = { query: string; prompt: ChatMessage[]; timings: Timings; [field: string]: unknown };

async function prompt(records: unknown[], config?: QAPromptorConfig): Promise<Prompted[]> {
  const { output } = await runOperator<unknown, Prompted>('map', QAPromptor, { records, config });
  return output;
}

const RETRIEVED = {
  query: 'How is green tea made?',
  retrievalResults: [
    { id: 'a', text: 'Green tea is steamed.', score: 0.9, metadata: {} },
    { id: 'b', text: 'Black tea is oxidised.', score: 0.5 },
  ],
};

describe('QAPromptor', () => {
  it('emits nothing for no records', async () => {
    expect(await prompt([])).toEqual([]);
  });

  it('fills {query} and {context} with the numbered documents', async () => {
    const [record] = await prompt([RETRIEVED], { template: 'Context:\n{context}\nQuestion: {query}' });
    expect(record!.prompt).toEqual([
      {
        role: 'user',
        content: 'Context:\n[1] (id: a) Green tea is steamed.\n\n[2] (id: b) Black tea is oxidised.\nQuestion: How is green tea made?',
      },
    ]);
  });

  it('uses the default template, which fills both placeholders', async () => {
    const [record] = await prompt([RETRIEVED]);
    const content = record!.prompt[0]!.content;
    expect(content).toBe(
      DEFAULT_QA_TEMPLATE.replace('{context}', '[1] (id: a) Green tea is steamed.\n\n[2] (id: b) Black tea is oxidised.').replace(
        '{query}',
        'How is green tea made?',
      ),
    );
    expect(content).not.toMatch(/\{(context|query)\}/);
  });

  it('puts the system message first', async () => {
    const [record] = await prompt([RETRIEVED], { system: 'You are terse.', template: '{query}' });
    expect(record!.prompt).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'How is green tea made?' },
    ]);
  });

  it('truncates the context at document boundaries', async () => {
    // "[1] (id: a) Green tea is steamed." is 33 characters; with the second (2 + 34) it would be 69.
    const [record] = await prompt([RETRIEVED], { template: '{context}|{query}', maxContextChars: 50 });
    expect(record!.prompt[0]!.content).toBe('[1] (id: a) Green tea is steamed.|How is green tea made?');
  });

  it('needs no retrievalResults for a template without {context}', async () => {
    const [record] = await prompt([{ query: 'Closed book?' }], { template: 'Answer: {query}' });
    expect(record!.prompt).toEqual([{ role: 'user', content: 'Answer: Closed book?' }]);
  });

  it('passes unknown fields through and adds its timing to the existing ones', async () => {
    const records = Array.from({ length: 20 }, (_, index) => ({ ...RETRIEVED, query: `q${index}`, qid: index, timings: { Retriever: 3 } }));
    const output = await prompt(records, { template: '{query}' });
    expect(output.map((record) => record.prompt[0]!.content)).toEqual(records.map((record) => record.query));
    for (const [index, record] of output.entries()) {
      expect(record).toMatchObject({ qid: index, retrievalResults: RETRIEVED.retrievalResults, timings: { Retriever: 3 } });
      expect(record.timings.QAPromptor).toBeGreaterThanOrEqual(0);
    }
  });

  it('fails on a bad record, naming the operator and the field', async () => {
    const promptor = new QAPromptor();
    expect(() => promptor.execute({ query: 7 } as never)).toThrow(ValidationError);
    expect(() => promptor.execute({ query: 7 } as never)).toThrow('QAPromptor: record.query: ');
    expect(() => promptor.execute({ query: 'q' })).toThrow('QAPromptor: record.retrievalResults: ');
    expect(() => promptor.execute({ query: 'q', retrievalResults: [{ id: 'a', score: 1 }] } as never)).toThrow(
      'QAPromptor: record.retrievalResults.0.text: ',
    );
    await expect(prompt([{ question: 'q' }])).rejects.toThrow(OperatorError);
  });

  it('checks its config, naming the class and the option', () => {
    expect(() => new QAPromptor({ template: 'Context: {context}' })).toThrow(ValidationError);
    expect(() => new QAPromptor({ template: 'Context: {context}' })).toThrow('QAPromptor: option "template": missing placeholder {query}');
    expect(() => new QAPromptor({ template: '{query} {docs}' })).toThrow('QAPromptor: option "template": unknown placeholder {docs}');
    expect(() => new QAPromptor({ maxContextChars: 0 })).toThrow('QAPromptor: option "maxContextChars": ');
    expect(() => new QAPromptor({ system: '' })).toThrow('QAPromptor: option "system": ');
    expect(() => new QAPromptor({ topK: 3 } as never)).toThrow('QAPromptor: config: Unrecognized key: "topK"');
  });
});
