import { ValidationError } from '@sage/common';
import { runOperator } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, Timings } from '../contracts.js';
import { DEFAULT_SUMMARIZATION_TEMPLATE, SummarizationPromptor, type SummarizationPromptorConfig } from './summarization-promptor.js';

type Prompted = { prompt: ChatMessage[]; timings: Timings; [field: string]: unknown };

async function prompt(records: unknown[], config?: SummarizationPromptorConfig): Promise<Prompted[]> {
  const { output } = await runOperator<unknown, Prompted>('map', SummarizationPromptor, { records, config });
  return output;
}

const DOCUMENTS = [
  { id: 'a', text: 'Green tea is steamed.', score: 1 },
  { id: 'b', text: 'Black tea is oxidised.', score: 0.5 },
];

describe('SummarizationPromptor', () => {
  it('emits nothing for no records', async () => {
    expect(await prompt([])).toEqual([]);
  });

  it('summarises a text field with the default template', async () => {
    const [record] = await prompt([{ text: 'A long report.', reportId: 9 }]);
    expect(record!.prompt).toEqual([{ role: 'user', content: DEFAULT_SUMMARIZATION_TEMPLATE.replace('{text}', 'A long report.') }]);
    expect(record).toMatchObject({ reportId: 9, text: 'A long report.' });
    expect(record!.timings.SummarizationPromptor).toBeGreaterThanOrEqual(0);
  });

  it('summarises the retrieved documents when there is no text, focused on the query if asked', async () => {
    const [record] = await prompt([{ query: 'tea making', retrievalResults: DOCUMENTS }], {
      template: 'Summarise for "{query}":\n{text}',
      system: 'You summarise.',
    });
    expect(record!.prompt).toEqual([
      { role: 'system', content: 'You summarise.' },
      { role: 'user', content: 'Summarise for "tea making":\n[1] (id: a) Green tea is steamed.\n\n[2] (id: b) Black tea is oxidised.' },
    ]);
  });

  it('follows source when a record has both, and limits the input to maxTextChars', async () => {
    const both = { text: 'The text field.', retrievalResults: DOCUMENTS };
    const [fromText] = await prompt([both], { template: '{text}', maxTextChars: 8 });
    expect(fromText!.prompt[0]!.content).toBe('The text');
    // 33 characters for the first document; the second would need 2 + 34 more.
    const [fromDocuments] = await prompt([both], { template: '{text}', source: 'retrievalResults', maxTextChars: 60 });
    expect(fromDocuments!.prompt[0]!.content).toBe('[1] (id: a) Green tea is steamed.');
  });

  it('fails on a record with nothing to summarise, naming the operator and the field', () => {
    expect(() => new SummarizationPromptor().execute({ title: 'x' })).toThrow(ValidationError);
    expect(() => new SummarizationPromptor().execute({ title: 'x' })).toThrow('SummarizationPromptor: record.text: ');
    expect(() => new SummarizationPromptor({ source: 'text' }).execute({ retrievalResults: DOCUMENTS })).toThrow(
      'SummarizationPromptor: record.text: ',
    );
    expect(() => new SummarizationPromptor({ template: '{query}: {text}' }).execute({ text: 't' })).toThrow(
      'SummarizationPromptor: record.query: ',
    );
  });

  it('checks its config, naming the class and the option', () => {
    expect(() => new SummarizationPromptor({ template: 'Summarise {query}' })).toThrow(ValidationError);
    expect(() => new SummarizationPromptor({ template: 'Summarise {query}' })).toThrow(
      'SummarizationPromptor: option "template": missing placeholder {text}',
    );
    expect(() => new SummarizationPromptor({ source: 'documents' } as never)).toThrow('SummarizationPromptor: option "source": ');
  });
});
