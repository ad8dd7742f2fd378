import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WindowOperatorCallOptions } from '@sage/kernel';
import { format } from '../kernel/harness.js';
import type { EngineId } from './engines.js';
import { measureLatency, measureMaxRate } from './latency.js';
import type { GeneratorConfig } from './nexmark.js';
import { QUERIES, type QueryDefinition, type QueryId } from './queries.js';
import type { LatencyRow } from './report.js';

/**
 * One latency measurement (a query on an engine) in a Node process of its own, as a long-running job has: a
 * heap without the throughput runs' events and results, and without what V8 learnt from them. Run in the
 * benchmark's process, even after those were released and collected, each paced run had 3-4 whole-heap
 * collections (the old generation kept growing: likely V8 allocating the kinds of objects the throughput runs
 * had kept straight into it); in a process of its own, none.
 */
export interface LatencyRequest {
  query: QueryId;
  engine: EngineId;
  windowOptions: WindowOperatorCallOptions;
  generator: GeneratorConfig;
  /** Events of the unpaced probe of the job's maximum rate. */
  probeEvents: number;
  /** The throughput runs' median rate: the maximum is the lower of it and the probe's. */
  throughputRate: number;
  seconds: number;
  /** For queries with one result per window: run longer than `seconds` to give at least this many results. */
  minResults: number;
  lingerMs: number;
}

const CHILD_FLAG = '--latency-request';
/** The longest a latency run is made to give `minResults`. */
const MAX_LATENCY_SECONDS = 40;

/** Runs the request in a child process (this file), passing its progress lines on to `log`. */
export function measureInChildProcess(request: LatencyRequest, log: (line: string) => void): Promise<LatencyRow> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), CHILD_FLAG, JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      for (let newline = stderr.indexOf('\n'); newline >= 0; newline = stderr.indexOf('\n')) {
        log(stderr.slice(0, newline));
        stderr = stderr.slice(newline + 1);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (stderr.length > 0) log(stderr);
      if (code !== 0) reject(new Error(`latency run of ${request.query} on ${request.engine} exited with ${code}`));
      else resolve(JSON.parse(stdout) as LatencyRow);
    });
  });
}

async function measureHere(request: LatencyRequest): Promise<LatencyRow> {
  const query = QUERIES.find((candidate) => candidate.id === request.query)!;
  const common = { query, generator: request.generator, windowOptions: request.windowOptions, lingerMs: request.lingerMs };
  const label = `latency: ${query.id} ${request.engine}`;
  process.stderr.write(`${label}, maximum rate of the paced job's source over ${format(request.probeEvents)} events\n`);
  const probed = await measureMaxRate({ ...common, events: request.probeEvents });
  // The lower of the two measurements of the maximum, so that the source can keep the rate for the whole run.
  const maxRate = Math.min(probed, request.throughputRate);
  const rate = Math.max(1, Math.round(maxRate / 2));
  const events = latencyEvents(query, request, rate);
  process.stderr.write(`${label}, ${format(events)} events at ${format(rate)} events/s\n`);
  const result = await measureLatency({ ...common, events, rate });
  return { query: query.id, engine: request.engine, maxRate, rate, events, lingerMs: request.lingerMs, result };
}

/**
 * Events offered by a latency run: `seconds` at `rate`, or more for a query with one result per window, so that
 * it gives at least `minResults` (q7's 10 s windows at ~900,000 events/s come 9 per second: with 90 results,
 * the p99 would be the single worst one). Never more than `MAX_LATENCY_SECONDS` of wall time.
 */
function latencyEvents(query: QueryDefinition<unknown>, request: LatencyRequest, rate: number): number {
  const planned = rate * request.seconds;
  if (query.resultEveryMs === undefined || request.minResults === 0) return planned;
  const forResults = Math.ceil(((request.minResults + 1) * query.resultEveryMs * request.generator.eventsPerSecond) / 1000);
  return Math.min(Math.max(planned, forResults), rate * MAX_LATENCY_SECONDS);
}

if (process.argv[2] === CHILD_FLAG) {
  const row = await measureHere(JSON.parse(process.argv[3]!) as LatencyRequest);
  process.stdout.write(JSON.stringify(row));
}
