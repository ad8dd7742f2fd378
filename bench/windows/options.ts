import { parseArgs } from 'node:util';
import { integerOption } from '../integer-option.js';
import { QUERY_IDS, type QueryId } from './queries.js';

export const HELP = `usage: pnpm bench:windows [--quick] [--events N] [--warmup N] [--rounds N] [--latency-seconds N]
                          [--queries q0,q5,...] [--seed N]
  --quick              smoke run: 100,000 events, 1 warm-up + 1 measured round, 2 s latency runs
  --events N           events per throughput run (env BENCH_EVENTS; default 1,000,000)
  --warmup N / --rounds N  warm-up and measured rounds (env BENCH_WARMUP / BENCH_ROUNDS; default 1 / 3)
  --latency-seconds N  length of each paced latency run (env BENCH_LATENCY_SECONDS; default 10; 0 skips them)
  --latency-min-results N  q5 and q7 (one result per window) run longer, up to 40 s, to give this many results
                       (env BENCH_LATENCY_MIN_RESULTS; default 200, 0 under --quick)
  --queries ids        run only these queries: ${QUERY_IDS.join(' ')}
  --seed N             generator seed (env BENCH_SEED; default 6)`;

export interface WindowsBenchOptions {
  events: number;
  warmup: number;
  rounds: number;
  latencySeconds: number;
  latencyMinResults: number;
  queries: QueryId[];
  seed: number;
}

/** Flags win over environment variables, which win over the defaults (smaller under --quick). */
export function readOptions(argv: string[]): WindowsBenchOptions | undefined {
  const { values } = parseArgs({
    // pnpm may pass a literal `--` before the script's flags.
    args: argv.filter((arg) => arg !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      events: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      'latency-seconds': { type: 'string' },
      'latency-min-results': { type: 'string' },
      queries: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const { quick } = values;
  const env = process.env;
  const queries = (values.queries?.split(',').map((id) => id.trim()) ?? [...QUERY_IDS]) as QueryId[];
  const unknown = queries.filter((id) => !QUERY_IDS.includes(id));
  if (unknown.length > 0) throw new Error(`--queries: unknown query ${unknown.join(', ')} (known: ${QUERY_IDS.join(' ')})`);
  return {
    events: integerOption('--events', values.events ?? env.BENCH_EVENTS, quick ? 100_000 : 1_000_000, 1_000),
    warmup: integerOption('--warmup', values.warmup ?? env.BENCH_WARMUP, 1),
    rounds: integerOption('--rounds', values.rounds ?? env.BENCH_ROUNDS, quick ? 1 : 3, 1),
    latencySeconds: integerOption('--latency-seconds', values['latency-seconds'] ?? env.BENCH_LATENCY_SECONDS, quick ? 2 : 10),
    latencyMinResults: integerOption('--latency-min-results', values['latency-min-results'] ?? env.BENCH_LATENCY_MIN_RESULTS, quick ? 0 : 200),
    queries,
    seed: integerOption('--seed', values.seed ?? env.BENCH_SEED, 6),
  };
}
