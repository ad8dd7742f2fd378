import { ValidationError } from '@sage/common';
import { describe, expect, it } from 'vitest';
import { answerTokens, normalizeAnswer } from './answer-tokens.js';
import { exactMatch, tokenF1, tokenRecall } from './squad-metrics.js';

describe('normalizeAnswer', () => {
  it('lowercases, deletes punctuation, drops articles and collapses whitespace', () => {
    // "the  eiffel-tower, in paris!" -> "the  eiffeltower in paris" -> without "the": "eiffeltower in paris".
    expect(normalizeAnswer('The  Eiffel-Tower, in PARIS!')).toBe('eiffeltower in paris');
    expect(normalizeAnswer('“An apple” a day')).toBe('apple day');
    expect(answerTokens(' The, a AN ')).toEqual([]);
  });
});

describe('exactMatch', () => {
  it('is 1 when the normalised answer equals any reference, else 0', () => {
    expect(exactMatch('The Paris.', ['paris'])).toBe(1);
    expect(exactMatch('Paris', ['Lyon', 'PARIS'])).toBe(1);
    expect(exactMatch('Paris, France', ['Paris', 'Lyon'])).toBe(0);
    expect(exactMatch('', ['Paris'])).toBe(0);
  });
});

describe('tokenF1', () => {
  it('is the harmonic mean of token precision and recall', () => {
    // Prediction tokens cat sat on mat (4), reference cat on mat (3), common 3:
    // P = 3/4, R = 3/3, F1 = 2 * 0.75 * 1 / 1.75 = 6/7.
    expect(tokenF1('the cat sat on the mat', ['a cat on a mat'])).toBeCloseTo(6 / 7, 12);
  });

  it('counts repeated tokens as a multiset', () => {
    // "paris paris paris" vs "paris": common = min(3, 1) = 1; P = 1/3, R = 1, F1 = (2/3) / (4/3) = 0.5.
    expect(tokenF1('paris paris paris', ['paris'])).toBeCloseTo(0.5, 12);
  });

  it('takes the best reference', () => {
    // Against "whale shark" or "killer whale": common 1, P = R = 1/2, F1 = 0.5; against "blue whale": 1.
    expect(tokenF1('blue whale', ['whale shark', 'killer whale'])).toBeCloseTo(0.5, 12);
    expect(tokenF1('blue whale', ['whale shark', 'blue whale'])).toBe(1);
  });

  it('scores empty answers by SQuAD convention: 1 only when both are empty', () => {
    expect(tokenF1('', ['paris'])).toBe(0);
    expect(tokenF1('paris', ['The'])).toBe(0);
    expect(tokenF1('The', ['a'])).toBe(1);
    expect(tokenF1('london', ['paris'])).toBe(0);
  });

  it('fails without references', () => {
    expect(() => tokenF1('paris', [])).toThrow(ValidationError);
    expect(() => tokenF1('paris', [])).toThrow('tokenF1: references must not be empty');
    expect(() => exactMatch('paris', [])).toThrow('exactMatch: references must not be empty');
    expect(() => tokenRecall('paris', [])).toThrow('tokenRecall: references must not be empty');
  });
});

describe('tokenRecall', () => {
  it('is the share of reference tokens the answer covers, the best over references', () => {
    // Reference tokens cat sat on mat (4); the answer has cat, on, mat: 3/4.
    expect(tokenRecall('cat on mat', ['the cat sat on the mat'])).toBeCloseTo(0.75, 12);
    // Extra answer tokens do not lower recall: the answer paris france covers the reference paris.
    expect(tokenRecall('Paris, France', ['london', 'Paris'])).toBe(1);
  });

  it('is 0 for an empty answer, and for a reference without tokens 1 only for an empty answer', () => {
    expect(tokenRecall('', ['paris'])).toBe(0);
    expect(tokenRecall('anything', ['the'])).toBe(0);
    expect(tokenRecall('an', ['the'])).toBe(1);
  });
});
