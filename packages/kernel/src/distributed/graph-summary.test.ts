import { describe, expect, it } from 'vitest';
import { LocalEnvironment } from '../api/local-environment.js';
import { compile } from '../graph/execution-graph.js';
import { summarizeGraph } from './graph-summary.js';

describe('summarizeGraph', () => {
  it('describes operators and edges by name, as plain JSON', () => {
    const env = new LocalEnvironment('wordcount', { handleSignals: false, logLevel: 'silent' });
    env
      .fromBatch(['a b', 'b c'], { name: 'lines' })
      .flatMap((line: string) => line.split(' '), { name: 'words', parallelism: 2 })
      .keyBy((word: string) => word)
      .map((word: string) => ({ word }), { name: 'count', parallelism: 2 })
      .sink(() => {}, { name: 'out' });
    const summary = summarizeGraph(compile(env.graph));
    expect(summary).toEqual({
      operators: [
        { name: 'lines', kind: 'collection', parallelism: 1 },
        { name: 'words', kind: 'flatMap', parallelism: 2 },
        { name: 'count', kind: 'map', parallelism: 2 },
        { name: 'out', kind: 'sink', parallelism: 1 },
      ],
      edges: [
        { from: 'lines', to: 'words', partitioner: 'rebalance' },
        { from: 'words', to: 'count', partitioner: 'hash' },
        { from: 'count', to: 'out', partitioner: 'rebalance' },
      ],
    });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });
});
