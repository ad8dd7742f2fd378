import { describe, expect, it } from 'vitest';
import { PersistentKeyedState } from './persistent-keyed-state.js';

function keyed(): PersistentKeyedState {
  const state = new PersistentKeyedState('count');
  state.keyed = true;
  return state;
}

describe('PersistentKeyedState', () => {
  it('gives no changes when nothing was touched', () => {
    expect(keyed().takeChanges()).toEqual([]);
  });

  it('writes back exactly the keys a batch touched, and a new instance loaded from them sees the same state', () => {
    const state = keyed();
    for (const word of ['a', 'b', 'a']) {
      state.currentKey = word;
      const count = state.value<number>('count', 0);
      count.set(count.get()! + 1);
    }
    state.currentKey = { user: 7 };
    state.list<string>('seen').add('x');
    state.map<string, number>('last').set('k', 3);
    state.currentKey = 5;
    state.value('v').set('five');
    const changes = state.takeChanges();
    expect(changes).toHaveLength(4);
    expect(changes.map(([field]) => field)).toEqual(expect.arrayContaining(['"a"', '"b"', '5']));
    expect(state.takeChanges()).toEqual([]);

    const restored = keyed();
    restored.load(Object.fromEntries(changes) as Record<string, string>);
    restored.currentKey = 'a';
    expect(restored.value('count').get()).toBe(2);
    restored.currentKey = { user: 7 };
    expect(restored.list('seen').get()).toEqual(['x']);
    expect(restored.map<string, number>('last').get('k')).toBe(3);
    restored.currentKey = 5;
    expect(restored.value('v').get()).toBe('five');
    restored.currentKey = '5';
    expect(restored.value('v').get()).toBeUndefined();
  });

  it('keeps typed arrays (a running vector sum) as typed arrays, also inside lists and maps', () => {
    const state = keyed();
    state.currentKey = 'doc-1';
    state.value<Float32Array>('sum').set(new Float32Array([1.5, -2]));
    state.list<Int32Array>('ids').add(new Int32Array([3, 4]));
    state.map<string, Float64Array>('by-field').set('title', new Float64Array([0.25]));
    const restored = keyed();
    restored.load(Object.fromEntries(state.takeChanges()) as Record<string, string>);
    restored.currentKey = 'doc-1';
    expect(restored.value('sum').get()).toEqual(new Float32Array([1.5, -2]));
    expect(restored.value('sum').get()).toBeInstanceOf(Float32Array);
    expect(restored.list<Int32Array>('ids').get()[0]).toBeInstanceOf(Int32Array);
    expect(restored.map<string, Float64Array>('by-field').get('title')).toEqual(new Float64Array([0.25]));
  });

  it('notes a key again in the next batch even when it is the same key as the last one', () => {
    const state = keyed();
    state.currentKey = 'a';
    state.value('n').set(1);
    state.takeChanges();
    state.value('n').set(2);
    expect(state.takeChanges()).toEqual([['"a"', '{"n":2}']]);
  });

  it('deletes a key whose state was cleared', () => {
    const state = keyed();
    state.currentKey = 'a';
    state.value('n').set(1);
    state.takeChanges();
    state.currentKey = 'a';
    state.value('n').clear();
    expect(state.takeChanges()).toEqual([['"a"', undefined]]);
  });

  it('refuses keys Redis cannot hold, naming the operator', () => {
    const state = keyed();
    state.currentKey = Number.NaN;
    state.value('n').set(1);
    expect(() => state.takeChanges()).toThrow(/operator "count" keeps keyed state under the key NaN/);
  });
});
