import { ValidationError } from '@sage/common';
import { runOperator } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, Timings } from '../contracts.js';
import { ChatPromptor, type ChatPromptorConfig } from './chat-promptor.js';

type Prompted = { query: string; prompt: ChatMessage[]; timings: Timings; [field: string]: unknown };

async function prompt(records: unknown[], config?: ChatPromptorConfig): Promise<Prompted[]> {
  const { output } = await runOperator<unknown, Prompted>('map', ChatPromptor, { records, config });
  return output;
}

const HISTORY: ChatMessage[] = [
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello!' },
  { role: 'user', content: 'Tell me about tea.' },
  { role: 'assistant', content: 'Tea is a drink.' },
];
const RECORD = { query: 'Which kind is steamed?', history: HISTORY, retrievalResults: [{ id: 'a', text: 'Green tea is steamed.', score: 1 }] };

describe('ChatPromptor', () => {
  it('emits nothing for no records', async () => {
    expect(await prompt([])).toEqual([]);
  });

  it('puts the system message, the history and the new question with its context in order', async () => {
    const [record] = await prompt([RECORD], { system: 'Be brief.', template: '{context}\n{query}' });
    expect(record!.prompt).toEqual([
      { role: 'system', content: 'Be brief.' },
      ...HISTORY,
      { role: 'user', content: '[1] (id: a) Green tea is steamed.\nWhich kind is steamed?' },
    ]);
  });

  it('keeps only the latest maxHistoryMessages messages', async () => {
    const [two] = await prompt([RECORD], { template: '{query}', maxHistoryMessages: 2 });
    expect(two!.prompt).toEqual([...HISTORY.slice(2), { role: 'user', content: 'Which kind is steamed?' }]);
    const [none] = await prompt([RECORD], { template: '{query}', maxHistoryMessages: 0 });
    expect(none!.prompt).toEqual([{ role: 'user', content: 'Which kind is steamed?' }]);
  });

  it('starts a conversation for a record without history, passing other fields through with its timing', async () => {
    const [record] = await prompt([{ query: 'First?', sessionId: 's1' }], { template: 'Q: {query}' });
    expect(record).toMatchObject({ sessionId: 's1', prompt: [{ role: 'user', content: 'Q: First?' }] });
    expect(record!.timings.ChatPromptor).toBeGreaterThanOrEqual(0);
  });

  it('fails on a bad record, naming the operator and the field', () => {
    const promptor = new ChatPromptor({ template: '{query}' });
    expect(() => promptor.execute({ query: 'q', history: [{ role: 'robot', content: 'x' }] } as never)).toThrow(ValidationError);
    expect(() => promptor.execute({ query: 'q', history: [{ role: 'robot', content: 'x' }] } as never)).toThrow(
      'ChatPromptor: record.history.0.role: ',
    );
    expect(() => new ChatPromptor().execute({ query: 'q' })).toThrow('ChatPromptor: record.retrievalResults: ');
  });

  it('checks its config, naming the class and the option', () => {
    expect(() => new ChatPromptor({ maxHistoryMessages: -1 })).toThrow(ValidationError);
    expect(() => new ChatPromptor({ maxHistoryMessages: -1 })).toThrow('ChatPromptor: option "maxHistoryMessages": ');
    expect(() => new ChatPromptor({ template: '{context}' })).toThrow('ChatPromptor: option "template": missing placeholder {query}');
    expect(() => new ChatPromptor({ template: '{query} {history}' })).toThrow('ChatPromptor: option "template": unknown placeholder {history}');
  });
});
