import { describe, expect, it } from 'vitest';
import { formatContext, NO_DOCUMENTS } from './format-context.js';

const DOCUMENTS = [
  { id: 'a', text: 'Green tea is steamed.' },
  { id: 'b', text: 'Black tea is oxidised.' },
  { id: 'c', text: 'Both are Camellia sinensis.' },
];

describe('formatContext', () => {
  it('numbers the documents from 1 with their ids, separated by blank lines', () => {
    expect(formatContext(DOCUMENTS)).toEqual({
      text: '[1] (id: a) Green tea is steamed.\n\n[2] (id: b) Black tea is oxidised.\n\n[3] (id: c) Both are Camellia sinensis.',
      documents: 3,
    });
  });

  it('says so when there are no documents', () => {
    expect(formatContext([])).toEqual({ text: NO_DOCUMENTS, documents: 0 });
  });

  it('keeps whole documents up to maxChars', () => {
    // Entries: "[1] (id: a) Green tea is steamed." = 12 + 21 = 33, "[2] (id: b) …" = 12 + 22 = 34.
    // 33 + 2 (blank line) + 34 = 69: a budget of 69 keeps two documents, 68 only the first.
    expect(formatContext(DOCUMENTS, 69).documents).toBe(2);
    expect(formatContext(DOCUMENTS, 68)).toEqual({ text: '[1] (id: a) Green tea is steamed.', documents: 1 });
  });

  it('cuts a first document longer than maxChars instead of giving no context', () => {
    expect(formatContext(DOCUMENTS, 20)).toEqual({ text: '[1] (id: a) Green te', documents: 1 });
  });
});
