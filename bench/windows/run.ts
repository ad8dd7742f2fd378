/**
 * The windows benchmark (Nexmark): `pnpm bench:windows` from the repo root (`--help` for the flags).
 * Nexmark q0, q1, q2, q5, q7 and q11 on SAGE's DataStream API in a LocalEnvironment, on every window engine
 * this build has, in one run: events per CPU-second next to Flink's per-core figures, then window-result
 * latency at half of each engine's maximum rate. Every run's results are checked against a plain reference.
 */
import { type Contender, format, type Measurement, measure } from '../kernel/harness.js';
import { detectEngines, type Engine, type EngineSelection } from './engines.js';
import { type LatencyRequest, measureInChildProcess } from './latency-process.js';
import { DEFAULT_GENERATOR, generateEvents } from './nexmark.js';
import { HELP, readOptions, type WindowsBenchOptions } from './options.js';
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
/** Events of the unpaced run that finds a latency run's maximum rate. */
const MAX_RATE_EVENTS = 300_000;
const LATENCY_LINGER_MS = 1;

log('detecting window engines');
const selection = await detectEngines();
if (selection.nativeUnavailable !== undefined) log(`native engine: not available (${selection.nativeUnavailable.split('\n')[0]})`);

const measurements = await measureThroughput(options, selection);
const engineIds = selection.engines.map((engine) => engine.id);
printThroughput(options.queries, measurements, engineIds);

const latencies: LatencyRow[] = [];
if (options.latencySeconds > 0) {
  for (const query of queries.filter((candidate) => candidate.windowed)) {
    for (const engine of selection.engines) {
      const throughputRate = measurements.find((m) => m.name === contenderName(query.id, engine.id))!.medianRate;
      const request: LatencyRequest = {
        query: query.id,
        engine: engine.id,
        windowOptions: engine.windowOptions,
        generator,
        probeEvents: Math.min(MAX_RATE_EVENTS, options.events),
        throughputRate,
        seconds: options.latencySeconds,
        minResults: options.latencyMinResults,
        lingerMs: LATENCY_LINGER_MS,
      };
      latencies.push(await measureInChildProcess(request, log));
    }
  }
  printLatency(latencies, options.latencyMinResults);
}
printTargets(options.queries, measurements, latencies, selection);

/** The throughput rounds; their events and reference results are released when they end. */
async function measureThroughput(options: WindowsBenchOptions, selection: EngineSelection): Promise<Measurement[]> {
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
  return measure(contenders, options.warmup, options.rounds, log);
}
