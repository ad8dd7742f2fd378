import { cpus, loadavg, totalmem } from 'node:os';
import { format, type Measurement } from '../kernel/harness.js';
import type { EngineId, EngineSelection } from './engines.js';
import type { LatencyResult } from './latency.js';
import type { GeneratorConfig } from './nexmark.js';
import type { WindowsBenchOptions } from './options.js';
import { QUERIES, type QueryId } from './queries.js';

/**
 * Flink's published Nexmark throughput per core (events/s), the figures issue 6 sets the targets against.
 * Flink runs with durable state (its state backend) and checkpoints; SAGE's local windows keep their state in
 * memory, without checkpoints, so the ratio compares different guarantees.
 */
export const FLINK_PER_CORE: Record<QueryId, number> = { q0: 155_000, q1: 158_000, q2: 175_000, q5: 22_100, q7: 12_300, q11: 39_700 };

/** At least this many times Flink's per-core figure on q5, q7 and q11 in the native engine. */
export const NATIVE_TARGET_RATIO = 20;
export const LATENCY_TARGET_P99_MS = 5;

export function contenderName(query: QueryId, engine: EngineId | undefined): string {
  return engine === undefined ? query : `${query} ${engine}`;
}

export function printHeader(options: WindowsBenchOptions, generator: GeneratorConfig, selection: EngineSelection, generatorRate: number): void {
  const cpu = cpus();
  console.log('# SAGE windows benchmark (Nexmark)\n');
  console.log(`- date: ${new Date().toISOString()}`);
  console.log(`- node: ${process.version} (${process.platform}/${process.arch}), memory ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  console.log(`- cpu: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores (os.cpus())`);
  console.log(
    `- events: ${format(options.events)} per run (46 bids : 3 auctions : 1 person), seed ${generator.seed}, ${format(generator.eventsPerSecond)} events per second of event time, ` +
      `out of order by up to ${generator.maxDelayMs} ms, watermark newest - 4 s; generated before the runs (${format(generatorRate)} events/s), outside the clock`,
  );
  console.log(`- load average at the start: ${loadavg().map((load) => load.toFixed(1)).join(', ')} (1, 5, 15 min; other work on the machine)`);
  console.log(`- runs: ${options.warmup} warm-up + ${options.rounds} measured per query and engine, interleaved; medians; each run's results checked against a plain reference computation`);
  console.log(`- engines: ${selection.engines.map((engine) => engine.id).join(', ')}${selection.nativeUnavailable === undefined ? '' : '; native engine: not available'}`);
  if (selection.nativeUnavailable !== undefined) console.log(`  (${selection.nativeUnavailable.split('\n')[0]})`);
  console.log();
}

/** events/CPU-second = events / (user + system CPU time of the whole process during the run). */
export function printThroughput(queries: readonly QueryId[], measurements: Measurement[], engines: readonly EngineId[]): void {
  const columns = engines.flatMap((engine) => [`${engine} events/CPU-s`, `${engine} events/s (wall)`, `${engine} ÷ Flink`]);
  const compare = engines.includes('native') && engines.includes('typescript');
  console.log(`| query | ${columns.join(' | ')} | Flink events/s per core |${compare ? ' native ÷ typescript |' : ''}`);
  console.log(`|---|${columns.map(() => '---:').join('|')}|---:|${compare ? '---:|' : ''}`);
  for (const query of queries) {
    const windowed = QUERIES.find((q) => q.id === query)!.windowed;
    const shared = measurements.find((m) => m.name === contenderName(query, undefined));
    const cells = engines.flatMap((engine, index) => {
      // A query without windows runs once; its numbers stand in the first engine's columns only.
      const m = windowed ? measurements.find((candidate) => candidate.name === contenderName(query, engine)) : index === 0 ? shared : undefined;
      if (m === undefined) return windowed ? ['n/a', 'n/a', 'n/a'] : ['—', '—', '—'];
      return [format(m.medianCpuRate), format(m.medianRate), `${(m.medianCpuRate / FLINK_PER_CORE[query]).toFixed(1)}x`];
    });
    const native = measurements.find((m) => m.name === contenderName(query, 'native'));
    const typescript = measurements.find((m) => m.name === contenderName(query, 'typescript'));
    const ratio = compare ? ` ${native && typescript ? `${(native.medianCpuRate / typescript.medianCpuRate).toFixed(1)}x` : '—'} |` : '';
    console.log(`| ${query} | ${cells.join(' | ')} | ${format(FLINK_PER_CORE[query])} |${ratio}`);
  }
  console.log();
  for (const query of QUERIES.filter((q) => queries.includes(q.id))) console.log(`- ${query.id}: ${query.description}${query.windowed ? '' : ' (no window, so no engine choice: one run)'}`);
  console.log('\nFlink: its published Nexmark events/s per core, which include durable state (state backend, checkpoints); SAGE keeps window state in memory, without checkpoints.\n');
}

export interface LatencyRow {
  query: QueryId;
  engine: EngineId;
  /** Events per wall second of the same job with an unpaced source. */
  maxRate: number;
  rate: number;
  events: number;
  lingerMs: number;
  result: LatencyResult;
}

export function printLatency(rows: LatencyRow[], minResults: number): void {
  if (rows.length === 0) return;
  console.log(
    'Window-result latency at 50% of the maximum rate (the lower of the throughput run and the same job with its source function unpaced): from the arrival of the event that moves the watermark past the window to the sink receiving the result.\n',
  );
  console.log(
    '| query | engine | max events/s | offered events/s | events | results sampled | p50 ms | p99 ms | max ms | GC pauses (major) | longest GC ms | source behind at end ms | CPU ÷ wall | load (1 min) |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { query, engine, maxRate, rate, events, result } of rows) {
    const ms = (value: number) => value.toFixed(2);
    console.log(
      `| ${query} | ${engine} | ${format(maxRate)} | ${format(rate)} | ${format(events)} | ${format(result.samples)} | ${ms(result.p50Ms)} | ${ms(result.p99Ms)} | ${ms(result.maxMs)} | ` +
        `${result.gc.pauses} (${result.gc.major}) | ${ms(result.gc.longestMs)} | ${ms(result.sourceLagMs)} | ${result.cpuShare.toFixed(2)} | ${result.loadAverage.toFixed(1)} |`,
    );
  }
  console.log(`\nThe source's partly filled batches linger ${rows[0]!.lingerMs} ms at most (\`lingerMs\`; the default is 5 ms).`);
  if (minResults > 0) console.log(`Queries with one result per window (q5, q7) run longer than asked, up to 40 s, to give at least ${minResults} results.`);
  console.log('CPU ÷ wall below 1 and a load average above the core count mean the process waited for a core: the tail then measures the machine.');
  console.log('GC pauses: the collector\'s pauses during the paced run (major: whole-heap mark-compacts; the others are young-generation scavenges); a result whose way through the job meets one waits for it.\n');
}

export function printTargets(queries: readonly QueryId[], measurements: Measurement[], latencies: LatencyRow[], selection: EngineSelection): void {
  console.log('| target | measured | result |');
  console.log('|---|---:|---|');
  for (const query of (['q5', 'q7', 'q11'] as const).filter((id) => queries.includes(id))) {
    const label = `native ≥ ${NATIVE_TARGET_RATIO}× Flink per core on ${query}`;
    const native = measurements.find((m) => m.name === contenderName(query, 'native'));
    if (native === undefined) {
      console.log(`| ${label} | native engine: not available | MISS |`);
      continue;
    }
    const ratio = native.medianCpuRate / FLINK_PER_CORE[query];
    console.log(`| ${label} | ${ratio.toFixed(1)}x | ${ratio >= NATIVE_TARGET_RATIO ? 'PASS' : 'MISS'} |`);
  }
  for (const row of latencies) {
    const pass = row.result.p99Ms < LATENCY_TARGET_P99_MS;
    console.log(`| ${row.query} ${row.engine} p99 result latency < ${LATENCY_TARGET_P99_MS} ms | ${row.result.p99Ms.toFixed(2)} ms | ${pass ? 'PASS' : 'MISS'} |`);
  }
  if (selection.nativeUnavailable !== undefined) console.log('\nnative engine: not available');
  console.log('\nTargets are informational: the exit code is 0 either way (a result that differs from the reference exits 1).');
}
