import { describe, expect, it } from 'vitest';
import { chooseFilteredPath, EXACT_SCAN_BUDGET_FLOATS } from './filtered-search.js';

const hnsw = { k: 10, efSearch: 96, M: 32 };

describe('chooseFilteredPath', () => {
  it('scans small matching sets, whatever the index', () => {
    expect(chooseFilteredPath(100, 1_000_000, 128, { k: 10, efSearch: 64 })).toEqual({ exact: true });
    expect(chooseFilteredPath(EXACT_SCAN_BUDGET_FLOATS / 128, 1_000_000, 128, { k: 10, efSearch: 64 })).toEqual({ exact: true });
    expect(chooseFilteredPath(5, 10, 4096, { k: 10, efSearch: 64 })).toEqual({ exact: true }); // fewer than k
  });

  it('scans when a graph search would compute more distances than there are matching records', () => {
    // 200k x 384 at 10%: efSearch grows to 3851, 3851 x 64 neighbours > 19,943 records.
    expect(chooseFilteredPath(19_943, 200_000, 384, hnsw)).toEqual({ exact: true });
    // At 50% the graph search is the cheaper: efSearch 770, 770 x 64 < 99,776.
    expect(chooseFilteredPath(99_776, 200_000, 384, hnsw)).toEqual({ exact: false, efSearch: 770 });
    // Without a graph (IVF), only the size of the set decides.
    expect(chooseFilteredPath(19_943, 200_000, 384, { k: 10, efSearch: 96 })).toEqual({ exact: false, efSearch: 3851 });
  });

  it('follows an explicit strategy', () => {
    expect(chooseFilteredPath(99_776, 200_000, 384, { ...hnsw, strategy: 'exact' })).toEqual({ exact: true });
    expect(chooseFilteredPath(100, 200_000, 384, { ...hnsw, strategy: 'index' })).toEqual({ exact: false, efSearch: 4096 });
  });
});
