/**
 * The windows benchmark (Nexmark): `pnpm bench:windows` from the repo root (`--help` for the flags).
 * Nexmark q0, q1, q2, q5, q7 and q11 on SAGE's DataStream API in a LocalEnvironment, on every window engine
 * this build has, in one run: events per CPU-second next to Flink's per-core figures, then window-result
 * latency at half of each engine's maximum rate. Every run's results are checked against a plain reference.
 */
import { type Contender, format, type Measurement, measure } from '../kernel/harness.js';
import { detectEngines, type Engine } from './engines.js';
import { measureLatency } from './latency.js';
import { DEFAULT_GENERATOR, generateEvents } from './nexmark.js';
import { HELP, readOptions } from './options.js';
import { QUERIES } from './queries.js';
import { referenceResults, verifyResults } from './reference.js';
import { contenderName, type LatencyRow, printHeader, printLatency, printTargets, printThroughput } from './report.js';
import { collectResults } from './run-query.js';

const options = readOptions(process.argv.slice(2));
if (options === undefined) {
  console.log(HELP);
  process.exit(0);
}
const log = (line: string) => process.stderr.write(`${line}\n`);
const generator = { ...DEFAULT_GENERATOR, seed: options.seed };
const queries = QUERIES.filter((query) => options.queries.includes(query.id));
/** Latency runs offer at most this many events (memory), and run shorter than asked when the rate is higher. */
const MAX_LATENCY_EVENTS = 2_000_000;
const LATENCY_LINGER_MS = 1;

log('detecting window engines');
const selection = await detectEngines();
if (selection.nativeUnavailable !== undefined) log(`native engine: not available (${selection.nativeUnavailable.split('\n')[0]})`);

log(`generating ${format(options.events)} events`);
const generateStarted = performance.now();
const events = generateEvents(options.events, generator);
const generatorRate = options.events / ((performance.now() - generateStarted) / 1000);
const expected = new Map(queries.map((query) => [query.id, referenceResults(query.id, events)]));

const contenders: Contender<unknown[]>[] = queries.flatMap((query) => {
  // Queries without windows run once: the engine choice does not reach them.
  const engines: Array<Engine | undefined> = query.windowed ? selection.engines : [undefined];
  return engines.map((engine) => {
    const name = contenderName(query.id, engine?.id);
    return {
      name,
      records: options.events,
      run: () => collectResults(query, events, engine?.windowOptions),
      verify: (results: unknown[]) => verifyResults(name, results, expected.get(query.id)!),
    };
  });
});

printHeader(options, generator, selection, generatorRate);
log(`throughput: ${contenders.length} runs per round`);
const measurements: Measurement[] = await measure(contenders, options.warmup, options.rounds, log);
const engineIds = selection.engines.map((engine) => engine.id);
printThroughput(options.queries, measurements, engineIds);

const latencies: LatencyRow[] = [];
if (options.latencySeconds > 0) {
  const runs = queries
    .filter((query) => query.windowed)
    .flatMap((query) =>
      selection.engines.map((engine) => {
        const measured = measurements.find((m) => m.name === contenderName(query.id, engine.id))!;
        const rate = Math.max(1, Math.round(measured.medianRate / 2));
        return { query, engine, rate, count: Math.min(MAX_LATENCY_EVENTS, rate * options.latencySeconds) };
      }),
    );
  // The generator is seeded, so every run's events are a prefix of the longest run's.
  const latencyEvents = generateEvents(Math.max(0, ...runs.map((run) => run.count)), generator);
  for (const { query, engine, rate, count } of runs) {
    log(`latency: ${query.id} ${engine.id}, ${format(count)} events at ${format(rate)} events/s`);
    const offered = latencyEvents.slice(0, count);
    const result = await measureLatency({
      query,
      events: offered,
      rate,
      windowOptions: engine.windowOptions,
      lingerMs: LATENCY_LINGER_MS,
      expected: referenceResults(query.id, offered),
    });
    latencies.push({ query: query.id, engine: engine.id, rate, events: count, lingerMs: LATENCY_LINGER_MS, result });
  }
  printLatency(latencies);
}
printTargets(options.queries, measurements, latencies, selection);
