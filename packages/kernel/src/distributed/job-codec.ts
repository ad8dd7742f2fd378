/**
 * How a job is laid out in Redis fields and read back. Fields of the job hash: id, name, status, graph (JSON
 * `JobGraphSummary`), submittedAt, startedAt, endedAt, stopRequestedAt (epoch ms), errorMessage, errorCode, module (the
 * pipeline module's absolute path, for remote jobs).
 * Absent fields have not happened. Log stream entries hold time (epoch ms), level, source and message.
 */
import { ValidationError } from '@sage/common';
import type { JobGraphSummary, JobLogEntry, JobRecordStatus, JobSummary } from './job-record.js';

export function toSummary(fields: Record<string, string>): JobSummary {
  const time = (name: string) => (fields[name] === undefined ? {} : { [name]: new Date(Number(fields[name])).toISOString() });
  return {
    id: fields.id,
    name: fields.name,
    status: fields.status as JobRecordStatus,
    submittedAt: new Date(Number(fields.submittedAt)).toISOString(),
    ...time('startedAt'),
    ...time('endedAt'),
    ...time('stopRequestedAt'),
    ...(fields.module === undefined ? {} : { module: fields.module }),
    ...(fields.errorMessage === undefined ? {} : { error: { message: fields.errorMessage, code: fields.errorCode ?? 'SAGE_UNKNOWN' } }),
  };
}

/** Seconds the job has run (to its end, or to now), for throughput. */
export function runSeconds(fields: Record<string, string>, now: number): number {
  if (fields.startedAt === undefined) return 0;
  const end = fields.endedAt === undefined ? now : Number(fields.endedAt);
  return Math.max(end - Number(fields.startedAt), 1) / 1000;
}

export function toLogEntry([id, values]: [string, string[]]): JobLogEntry {
  const fields: Record<string, string> = {};
  for (let index = 0; index + 1 < values.length; index += 2) fields[values[index]] = values[index + 1];
  return {
    id,
    time: new Date(Number(fields.time)).toISOString(),
    level: fields.level ?? 'info',
    source: fields.source ?? '',
    message: fields.message ?? '',
  };
}

export function checkGraph(graph: JobGraphSummary): JobGraphSummary {
  const valid =
    graph !== null &&
    typeof graph === 'object' &&
    Array.isArray(graph.operators) &&
    Array.isArray(graph.edges) &&
    graph.operators.every(
      (operator) => typeof operator?.name === 'string' && typeof operator.kind === 'string' && Number.isInteger(operator.parallelism),
    ) &&
    graph.edges.every((edge) => typeof edge?.from === 'string' && typeof edge.to === 'string' && typeof edge.partitioner === 'string');
  if (!valid) {
    throw new ValidationError(
      'job graph must be { operators: [{ name, kind, parallelism }], edges: [{ from, to, partitioner }] } (see summarizeGraph)',
    );
  }
  return { operators: graph.operators, edges: graph.edges };
}

