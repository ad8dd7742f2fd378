/**
 * Per-operator metrics of a distributed job. Workers send deltas; the metrics hash holds one field per
 * `<metric>:<operator>`: counters are added (HINCRBY, busyMs with HINCRBYFLOAT) and maxQueueDepth keeps the
 * maximum, so merges from many workers in any order give the same totals.
 */
import { ValidationError } from '@sage/common';
import type { OperatorMetrics } from '../runtime/metrics.js';
import type { JobGraphSummary, OperatorMetricsDelta } from './job-record.js';

const COUNTERS = ['recordsIn', 'recordsOut', 'batchesIn', 'skipped', 'retries', 'errors', 'restarts'] as const;

/** ARGV of the merge script: (operation, field, value) triples; zero values are left out. */
export function metricsScriptArguments(deltas: Readonly<Record<string, OperatorMetricsDelta>>): Array<string | number> {
  const args: Array<string | number> = [];
  for (const [operator, delta] of Object.entries(deltas)) {
    if (operator === '') throw new ValidationError('metrics need an operator name');
    for (const [metric, value] of Object.entries(delta)) {
      checkMetric(operator, metric, value);
      if (value === 0) continue;
      const operation = metric === 'busyMs' ? 'f' : metric === 'maxQueueDepth' ? 'm' : 'i';
      args.push(operation, `${metric}:${operator}`, value);
    }
  }
  return args;
}

/** The metrics hash (`<metric>:<operator>` fields) as `OperatorMetrics` per operator, graph operators first. */
export function toOperatorMetrics(graph: JobGraphSummary, fields: Record<string, string>, seconds: number): Record<string, OperatorMetrics> {
  const values = new Map<string, Map<string, number>>();
  for (const [field, value] of Object.entries(fields)) {
    const split = field.indexOf(':');
    const operator = field.slice(split + 1);
    if (!values.has(operator)) values.set(operator, new Map());
    values.get(operator)!.set(field.slice(0, split), Number(value));
  }
  const result: Record<string, OperatorMetrics> = {};
  const described = new Map(graph.operators.map((operator) => [operator.name, operator]));
  for (const name of new Set([...described.keys(), ...values.keys()])) {
    const get = (metric: string) => values.get(name)?.get(metric) ?? 0;
    const recordsIn = get('recordsIn');
    const batchesIn = get('batchesIn');
    result[name] = {
      name,
      kind: described.get(name)?.kind ?? 'unknown',
      parallelism: described.get(name)?.parallelism ?? 0,
      recordsIn,
      recordsOut: get('recordsOut'),
      batchesIn,
      skipped: get('skipped'),
      retries: get('retries'),
      errors: get('errors'),
      restarts: get('restarts'),
      busyMs: Math.round(get('busyMs') * 1000) / 1000,
      maxQueueDepth: get('maxQueueDepth'),
      meanBatchSize: batchesIn === 0 ? 0 : Math.round((recordsIn / batchesIn) * 10) / 10,
      throughput: seconds === 0 ? 0 : Math.round(recordsIn / seconds),
    };
  }
  return result;
}

function checkMetric(operator: string, metric: string, value: unknown): void {
  const known = (COUNTERS as readonly string[]).includes(metric) || metric === 'busyMs' || metric === 'maxQueueDepth';
  if (!known) throw new ValidationError(`unknown metric "${metric}" for operator "${operator}"`);
  const integer = metric !== 'busyMs';
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (integer && !Number.isSafeInteger(value))) {
    throw new ValidationError(`metric ${metric} of operator "${operator}" must be a ${integer ? 'whole ' : ''}number >= 0, got ${String(value)}`);
  }
}

