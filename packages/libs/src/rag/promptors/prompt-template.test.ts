import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { PromptTemplate } from './prompt-template.js';

describe('PromptTemplate', () => {
  it('fills every placeholder, as often as it appears, in one pass', () => {
    const template = PromptTemplate.parse('Q: {query}\nC: {context}\nAgain: {query}', ['context', 'query'], ['query']);
    expect([...template.placeholders].sort()).toEqual(['context', 'query']);
    // A value that looks like a placeholder is not expanded again.
    expect(template.render({ query: 'what is {context}?', context: 'tea' })).toBe('Q: what is {context}?\nC: tea\nAgain: what is {context}?');
  });

  it('reads {{ and }} as literal braces', () => {
    const template = PromptTemplate.parse('Reply as {{"answer": "..."}} to {query}', ['query']);
    expect(template.render({ query: 'x' })).toBe('Reply as {"answer": "..."} to x');
  });

  it('rejects unknown placeholders, lone braces and missing required placeholders', () => {
    expect(() => PromptTemplate.parse('{query} {contxt}', ['context', 'query'])).toThrow(ValidationError);
    expect(() => PromptTemplate.parse('{query} {contxt}', ['context', 'query'])).toThrow(
      'unknown placeholder {contxt} (known: {context}, {query}; write {{ and }} for literal braces)',
    );
    expect(() => PromptTemplate.parse('{query} {"a": 1}', ['query'])).toThrow('unknown placeholder {"a": 1}');
    expect(() => PromptTemplate.parse('{query} }', ['query'])).toThrow('unmatched "}" at offset 8');
    expect(() => PromptTemplate.parse('{query} {', ['query'])).toThrow('unmatched "{" at offset 8');
    expect(() => PromptTemplate.parse('Context: {context}', ['context', 'query'], ['query'])).toThrow('missing placeholder {query}');
  });
});
