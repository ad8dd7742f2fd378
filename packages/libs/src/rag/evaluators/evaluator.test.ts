import { OperatorError, ValidationError } from '@sage/common';
import { runOperator } from '@sage/kernel/testing';
import { describe, expect, it } from 'vitest';
import type { Timings } from '../contracts.js';
import { type EvaluationSummary, Evaluator, type EvaluatorConfig } from './evaluator.js';

type Scored = { scores: Record<string, number>; timings: Timings; [field: string]: unknown };

async function evaluate(records: unknown[], config: EvaluatorConfig) {
  const lines: string[] = [];
  const summaries: EvaluationSummary[] = [];
  const { output } = await runOperator<unknown, Scored>('map', Evaluator, {
    records,
    config: { ...config, writer: (line: string) => lines.push(line), onSummary: (summary: EvaluationSummary) => summaries.push(summary) },
  });
  return { output, lines, summaries };
}

function document(id: string, metadata: Record<string, unknown> = {}) {
  return { id, text: `text of ${id}`, score: 1, metadata };
}

describe('Evaluator', () => {
  it('scores nothing and summarises no records for an empty stream', async () => {
    const { output, lines, summaries } = await evaluate([], { metrics: ['f1'] });
    expect(output).toEqual([]);
    expect(summaries).toEqual([{ records: 0, k: 5, means: {} }]);
    expect(lines).toEqual(['Evaluator: no records']);
  });

  it('adds every text metric to scores', async () => {
    const record = { query: 'Where is the cat?', generated: 'cat on mat', references: ['the cat sat on the mat'] };
    const { output } = await evaluate([record], { metrics: ['exactMatch', 'f1', 'recall', 'bleu', 'rougeL'] });
    // Answer tokens cat on mat (3), reference cat sat on mat (4), 3 in common, LCS 3 (cat on mat):
    // F1 = ROUGE-L = 2 * 1 * 3/4 / (1 + 3/4) = 6/7, recall = 3/4, not an exact match.
    // BLEU: p1 = 3/3; bigrams cat-on, on-mat: 1 in the reference, p2 = (1 + 1) / (2 + 1); trigram cat-on-mat:
    // 0, p3 = (0 + 1) / (1 + 1); no 4-gram: 0 of max(1, 0) = 1, p4 = (0 + 1) / (1 + 1).
    // (1 * 2/3 * 1/2 * 1/2)^(1/4) = 6^(-1/4), times BP = exp(1 - 4/3) as c = 3 < r = 4.
    const scores = output[0]!.scores;
    expect(Object.keys(scores)).toEqual(['exactMatch', 'f1', 'recall', 'bleu', 'rougeL']);
    expect(scores.exactMatch).toBe(0);
    expect(scores.f1).toBeCloseTo(6 / 7, 12);
    expect(scores.recall).toBeCloseTo(3 / 4, 12);
    expect(scores.bleu).toBeCloseTo(6 ** -0.25 * Math.exp(-1 / 3), 12);
    expect(scores.rougeL).toBeCloseTo(6 / 7, 12);
  });

  it('adds retrieval metrics over the top k, matching ids or source ids', async () => {
    const record = { query: 'q', retrievalResults: ['d3', 'd1', 'd2'].map((id) => document(id)), relevantIds: ['d1'] };
    // d1 at rank 2: recall@2 = 1, MRR = 1/2, nDCG@2 = (1/log2(3)) / 1.
    const { output } = await evaluate([record], { metrics: ['recallAtK', 'mrr', 'ndcgAtK'], k: 2 });
    expect(output[0]!.scores).toEqual({ recallAtK: 1, mrr: 0.5, ndcgAtK: 1 / Math.log2(3) });

    const chunks = { query: 'q', retrievalResults: [document('a#0-x', { sourceId: 'a' }), document('b')], relevantIds: ['a', 'b'] };
    const byId = await evaluate([chunks], { metrics: ['recallAtK'] });
    expect(byId.output[0]!.scores.recallAtK).toBe(0.5); // only "b" matches by id
    const bySource = await evaluate([chunks], { metrics: ['recallAtK'], matchBy: 'sourceId' });
    expect(bySource.output[0]!.scores.recallAtK).toBe(1);
  });

  it('adds latency in total and per stage, and keeps earlier scores, other fields and timings', async () => {
    const record = { qid: 7, timings: { Retriever: 10, Generator: 30 }, scores: { judge: 0.9 } };
    const { output } = await evaluate([record], { metrics: ['latency'] });
    expect(output[0]).toMatchObject({
      qid: 7,
      scores: { judge: 0.9, latency: 40, 'latency.Retriever': 10, 'latency.Generator': 30 },
      timings: { Retriever: 10, Generator: 30 },
    });
    expect(output[0]!.timings.Evaluator).toBeGreaterThanOrEqual(0);
  });

  it('summarises many records at end of stream: means of the scores and latency percentiles', async () => {
    // Twenty records: generated matches the reference for even i (f1 1) and shares nothing for odd i (f1 0);
    // latency i + 1 ms (Retriever 1 ms, Generator i ms). Mean f1 = 10/20 = 0.5; mean latency = (1 + … + 20)/20
    // = 10.5; nearest-rank p50 = 10th of 1..20 = 10, p95 = 19th = 19. Generator: 0..19, p50 9, p95 18.
    const records = Array.from({ length: 20 }, (_, i) => ({
      generated: i % 2 === 0 ? 'blue whale' : 'red fox',
      references: ['blue whale'],
      timings: { Retriever: 1, Generator: i },
    }));
    const { output, summaries, lines } = await evaluate(records, { metrics: ['f1', 'latency'] });
    expect(output).toHaveLength(20);
    expect(summaries).toEqual([
      {
        records: 20,
        k: 5,
        means: { f1: 0.5, latency: 10.5, 'latency.Retriever': 1, 'latency.Generator': 9.5 },
        latency: { p50: 10, p95: 19, stages: { Retriever: { p50: 1, p95: 1 }, Generator: { p50: 9, p95: 18 } } },
      },
    ]);
    expect(lines).toEqual(['Evaluator: 20 records; f1 0.500; latency mean 10.5 ms, p50 10.0 ms, p95 19.0 ms']);
  });

  it('writes the summary to the logger without a writer, and gives it through summary()', () => {
    const evaluator = new Evaluator({ metrics: ['exactMatch', 'mrr'] });
    const logged: Array<[unknown, string]> = [];
    evaluator.ctx = { logger: { info: (fields: unknown, line: string) => logged.push([fields, line]) } } as never;
    evaluator.execute({ generated: 'Paris', references: ['paris'], retrievalResults: [document('x'), document('y')], relevantIds: ['y'] });
    const expected = { records: 1, k: 5, means: { exactMatch: 1, mrr: 0.5 } };
    expect(evaluator.summary()).toEqual(expected);
    evaluator.close();
    expect(logged).toEqual([[{ summary: expected }, 'Evaluator: 1 records; exactMatch 1.000, mrr 0.500 (k=5)']]);
  });

  it('fails on a record missing what a metric reads, naming the operator and the field', async () => {
    const text = new Evaluator({ metrics: ['f1'] });
    expect(() => text.execute({ references: ['x'] })).toThrow(ValidationError);
    expect(() => text.execute({ references: ['x'] })).toThrow('Evaluator: record.generated: ');
    expect(() => text.execute({ generated: 'x', references: [] })).toThrow(
      'Evaluator: record.references: needs at least one reference for text metrics',
    );
    const retrieval = new Evaluator({ metrics: ['ndcgAtK'] });
    expect(() => retrieval.execute({ retrievalResults: [], relevantIds: [] })).toThrow(
      'Evaluator: record.relevantIds: needs at least one relevant id for retrieval metrics',
    );
    expect(() => retrieval.execute({ relevantIds: ['a'] })).toThrow('Evaluator: record.retrievalResults: ');
    expect(() => new Evaluator({ metrics: ['latency'] }).execute({ query: 'q' })).toThrow('Evaluator: record.timings: ');
    await expect(evaluate([{ generated: 1, references: ['x'] }], { metrics: ['bleu'] })).rejects.toThrow(OperatorError);
  });

  it('checks its config, naming the class and the option', () => {
    expect(() => new Evaluator({ metrics: [] })).toThrow(ValidationError);
    expect(() => new Evaluator({ metrics: [] })).toThrow('Evaluator: option "metrics": ');
    expect(() => new Evaluator({ metrics: ['accuracy'] } as never)).toThrow('Evaluator: option "metrics.0": ');
    expect(() => new Evaluator({ metrics: ['f1', 'f1'] })).toThrow('Evaluator: option "metrics": lists a metric more than once');
    expect(() => new Evaluator({ metrics: ['mrr'], k: 0 })).toThrow('Evaluator: option "k": ');
    expect(() => new Evaluator({ metrics: ['f1'], writer: 'stdout' } as never)).toThrow('Evaluator: option "writer": expected a function');
    expect(() => new Evaluator({} as never)).toThrow('Evaluator: option "metrics": ');
  });
});
