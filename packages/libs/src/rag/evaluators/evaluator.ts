import { MapFunction, systemClock } from '@sage/kernel';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { checkRecord, type RetrievedDocument, retrievedDocumentSchema, type Timings, timingsSchema, withTiming } from '../contracts.js';
import { bleu } from './bleu.js';
import { latencyOf, percentile } from './latency.js';
import { ndcgAtK, recallAtK, reciprocalRank } from './retrieval-metrics.js';
import { rougeL } from './rouge-l.js';
import { exactMatch, tokenF1, tokenRecall } from './squad-metrics.js';

const TEXT_METRICS = { exactMatch, f1: tokenF1, recall: tokenRecall, bleu, rougeL } as const;
const RETRIEVAL_METRICS = { recallAtK, mrr: reciprocalRank, ndcgAtK } as const;

/**
 * `exactMatch`, `f1`, `recall` (token recall), `bleu`, `rougeL`: `generated` against `references`;
 * `recallAtK`, `mrr`, `ndcgAtK`: `retrievalResults` against `relevantIds`, over the top `k`;
 * `latency`: the sum of `timings` (score `latency`) and each stage (`latency.<operator>`), in milliseconds.
 */
export const METRIC_NAMES = ['exactMatch', 'f1', 'recall', 'bleu', 'rougeL', 'recallAtK', 'mrr', 'ndcgAtK', 'latency'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

const functionOption = <F>(what: string) => z.custom<F>((value) => typeof value === 'function', `expected ${what}`);

const evaluatorConfigSchema = z.strictObject({
  metrics: z
    .array(z.enum(METRIC_NAMES))
    .min(1)
    .refine((metrics) => new Set(metrics).size === metrics.length, 'lists a metric more than once'),
  /** Cut-off of the retrieval metrics (default 5). */
  k: z.number().int().positive().default(5),
  /**
   * What `relevantIds` name: the retrieved documents' `id`s (default), or their `metadata.sourceId` (the
   * document a chunk came from; a result without one is matched by its `id`).
   */
  matchBy: z.enum(['id', 'sourceId']).default('id'),
  /** Where the end-of-stream summary line goes; default `this.ctx.logger.info`. */
  writer: functionOption<(line: string) => void>('a function (line: string) => void').optional(),
  /** Called with the summary at end of stream (before it is written). */
  onSummary: functionOption<(summary: EvaluationSummary) => void>('a function (summary) => void').optional(),
});

export type EvaluatorConfig = z.input<typeof evaluatorConfigSchema>;

export interface Percentiles {
  p50: number;
  p95: number;
}

/** What an Evaluator instance saw, computed at end of stream (or on demand with `summary()`). */
export interface EvaluationSummary {
  /** Records scored by this instance. */
  records: number;
  k: number;
  /** Mean of each score over the records that have it (`latency.<stage>` over the records with that stage). */
  means: Record<string, number>;
  /** Nearest-rank percentiles of the latencies in ms, when `latency` is a metric and records were scored. */
  latency?: Percentiles & { stages: Record<string, Percentiles> };
}

/** A record after the Evaluator: the input's fields plus `scores` and its timing. */
export type WithScores<In> = In & { scores: Record<string, number>; timings: Timings };

interface EvaluatedRecord {
  generated?: string;
  references?: string[];
  retrievalResults?: RetrievedDocument[];
  relevantIds?: string[];
  timings?: Timings;
  scores?: Record<string, number>;
}

/**
 * Scores each record with the chosen `metrics` and adds them to its `scores` (keeping scores added before),
 * keyed by metric name. A record missing what a metric reads (`generated` and at least one reference for the
 * text metrics, `retrievalResults` and at least one relevant id for the retrieval metrics, `timings` for
 * `latency`) fails with a ValidationError naming the field. The latency score covers the operators before
 * the Evaluator (its own timing is added after).
 *
 * At end of stream (`close()`), the instance writes one summary line (means of every score, p50 and p95 of
 * the latency) to `writer` or the logger, and hands the summary to `onSummary`; `summary()` gives it at any
 * time. With parallelism > 1 each instance summarises its own share of the records.
 */
export class Evaluator<In extends object = Record<string, unknown>> extends MapFunction<In, WithScores<In>, EvaluatorConfig> {
  private readonly options: z.output<typeof evaluatorConfigSchema>;
  private readonly recordSchema: z.ZodType<EvaluatedRecord>;
  private readonly sums = new Map<string, { total: number; count: number }>();
  private readonly latencies: number[] = [];
  private readonly stageLatencies = new Map<string, number[]>();
  private records = 0;

  constructor(config?: EvaluatorConfig) {
    super(config);
    this.options = parseConfig('Evaluator', evaluatorConfigSchema, config);
    const { metrics } = this.options;
    const reads = (names: readonly string[]) => metrics.some((metric) => names.includes(metric));
    this.recordSchema = z.looseObject({
      ...(reads(Object.keys(TEXT_METRICS))
        ? { generated: z.string(), references: z.array(z.string()).min(1, 'needs at least one reference for text metrics') }
        : {}),
      ...(reads(Object.keys(RETRIEVAL_METRICS))
        ? {
            retrievalResults: z.array(retrievedDocumentSchema),
            relevantIds: z.array(z.string()).min(1, 'needs at least one relevant id for retrieval metrics'),
          }
        : {}),
      ...(reads(['latency']) ? { timings: timingsSchema } : {}),
      scores: z.record(z.string(), z.number()).optional(),
    }) as z.ZodType<EvaluatedRecord>;
  }

  execute(record: In): WithScores<In> {
    const started = systemClock.now();
    const checked = checkRecord('Evaluator', this.recordSchema, record);
    const scores = this.score(checked);
    this.records++;
    for (const [name, value] of Object.entries(scores)) {
      const sum = this.sums.get(name) ?? { total: 0, count: 0 };
      sum.total += value;
      sum.count++;
      this.sums.set(name, sum);
    }
    const output = { ...(record as In & { timings?: Timings }), scores: { ...checked.scores, ...scores } };
    return withTiming(output, 'Evaluator', systemClock.now() - started) as WithScores<In>;
  }

  private score(record: EvaluatedRecord): Record<string, number> {
    const { metrics, k, matchBy } = this.options;
    const scores: Record<string, number> = {};
    for (const metric of metrics) {
      if (metric === 'latency') {
        const { totalMs, stages } = latencyOf(record.timings!);
        scores.latency = totalMs;
        this.latencies.push(totalMs);
        for (const [stage, ms] of Object.entries(stages)) {
          scores[`latency.${stage}`] = ms;
          const values = this.stageLatencies.get(stage) ?? [];
          values.push(ms);
          this.stageLatencies.set(stage, values);
        }
      } else if (metric in TEXT_METRICS) {
        scores[metric] = TEXT_METRICS[metric as keyof typeof TEXT_METRICS](record.generated!, record.references!);
      } else {
        const retrieved = record.retrievalResults!.map((result) =>
          matchBy === 'sourceId' && typeof result.metadata.sourceId === 'string' ? result.metadata.sourceId : result.id,
        );
        scores[metric] = RETRIEVAL_METRICS[metric as keyof typeof RETRIEVAL_METRICS](retrieved, record.relevantIds!, k);
      }
    }
    return scores;
  }

  /** The summary of the records scored so far. */
  summary(): EvaluationSummary {
    const means: Record<string, number> = {};
    for (const [name, { total, count }] of this.sums) means[name] = total / count;
    const summary: EvaluationSummary = { records: this.records, k: this.options.k, means };
    if (this.latencies.length > 0) {
      const stages: Record<string, Percentiles> = {};
      for (const [stage, values] of this.stageLatencies) stages[stage] = { p50: percentile(values, 50), p95: percentile(values, 95) };
      summary.latency = { p50: percentile(this.latencies, 50), p95: percentile(this.latencies, 95), stages };
    }
    return summary;
  }

  close(): void {
    const summary = this.summary();
    this.options.onSummary?.(summary);
    const line = formatSummary(summary);
    if (this.options.writer !== undefined) this.options.writer(line);
    else this.ctx?.logger.info({ summary }, line);
  }
}

/**
 * One line: `Evaluator: 3 records; f1 0.667, recallAtK 1.000 (k=5); latency mean 14.2 ms, p50 12.0 ms, p95
 * 30.5 ms`. The percentiles per stage are in the summary object only.
 */
export function formatSummary(summary: EvaluationSummary): string {
  if (summary.records === 0) return 'Evaluator: no records';
  const parts = [`Evaluator: ${summary.records} records`];
  const means = Object.entries(summary.means).filter(([name]) => !name.startsWith('latency'));
  if (means.length > 0) {
    const cutOff = means.some(([name]) => name in RETRIEVAL_METRICS) ? ` (k=${summary.k})` : '';
    parts.push(means.map(([name, mean]) => `${name} ${mean.toFixed(3)}`).join(', ') + cutOff);
  }
  if (summary.latency !== undefined) {
    const { p50, p95 } = summary.latency;
    parts.push(`latency mean ${summary.means.latency!.toFixed(1)} ms, p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
  }
  return parts.join('; ');
}
