import { parseArgs } from 'node:util';
import { integerOption } from '../integer-option.js';

export const CONTENDER_IDS = ['sage-hnsw', 'sage-native', 'hnswlib', 'usearch', 'sage-flat', 'sage-native-flat', 'js-exact', 'usearch-exact'] as const;
export type ContenderId = (typeof CONTENDER_IDS)[number];

export const HELP = `usage: pnpm bench:sage-db [--quick] [--datasets NxD,...] [--queries N] [--k N] [--ef a,b,...]
                         [--M N] [--ef-construction N] [--rounds N] [--only id,...] [--seed N] [--no-cache]
  --quick               smoke run: one 20,000 x 64 dataset, 200 queries, 1 measured round
  --datasets NxD,...    datasets to generate (env BENCH_DATASETS; default 100000x128,200000x384)
  --queries N           queries per dataset, drawn from the same mixture (env BENCH_QUERIES; default 1000)
  --clusters N          Gaussian mixture components (env BENCH_CLUSTERS; default 100)
  --k N                 neighbours per query (default 10)
  --ef a,b,...          efSearch / expansion_search sweep (default 10,16,24,32,48,64,96,128,192,256,384,512)
  --M N / --ef-construction N  HNSW build parameters for every HNSW contender (default 32 / 200)
  --rounds N            measured rounds at the chosen settings, median reported (env BENCH_ROUNDS; default 3)
  --only ids            run only these contenders: ${CONTENDER_IDS.join(' ')}
  --seed N              generator seed (default 42)
  --no-cache            recompute the ground truth instead of reading it from the cache under os.tmpdir()`;

export interface DatasetSize {
  count: number;
  dimension: number;
}

export interface BenchOptions {
  quick: boolean;
  datasets: DatasetSize[];
  queries: number;
  clusters: number;
  k: number;
  efSweep: number[];
  M: number;
  efConstruction: number;
  rounds: number;
  seed: number;
  cache: boolean;
  only: ReadonlySet<ContenderId>;
}

/** Flags win over environment variables, which win over the defaults (smaller ones under --quick). */
export function readOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    // pnpm may pass a literal `--` before the script's flags.
    args: argv.filter((arg) => arg !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      datasets: { type: 'string' },
      queries: { type: 'string' },
      clusters: { type: 'string' },
      k: { type: 'string' },
      ef: { type: 'string' },
      M: { type: 'string' },
      'ef-construction': { type: 'string' },
      rounds: { type: 'string' },
      only: { type: 'string' },
      seed: { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const quick = values.quick;
  const integer = (name: string, raw: string | undefined, fallback: number, min = 1): number => integerOption(name, raw, fallback, min);
  const datasetsRaw = values.datasets ?? process.env.BENCH_DATASETS ?? (quick ? '20000x64' : '100000x128,200000x384');
  const datasets = datasetsRaw.split(',').map((entry) => {
    const match = /^\s*([\d_]+)\s*x\s*(\d+)\s*$/i.exec(entry);
    if (match === null) throw new Error(`--datasets: expected entries like 100000x128, got "${entry}"`);
    return { count: integer('--datasets', match[1], 0), dimension: integer('--datasets', match[2], 0) };
  });
  const efSweep = (values.ef ?? '10,16,24,32,48,64,96,128,192,256,384,512').split(',').map((raw) => integer('--ef', raw.trim(), 0));
  const only = values.only?.split(',').map((id) => id.trim()) ?? [...CONTENDER_IDS];
  const unknown = only.filter((id) => !(CONTENDER_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) throw new Error(`--only: unknown contender ${unknown.join(', ')} (known: ${CONTENDER_IDS.join(' ')})`);
  return {
    quick,
    datasets,
    queries: integer('--queries', values.queries ?? process.env.BENCH_QUERIES, quick ? 200 : 1000),
    clusters: integer('--clusters', values.clusters ?? process.env.BENCH_CLUSTERS, 100),
    k: integer('--k', values.k, 10),
    efSweep: [...new Set(efSweep)].sort((a, b) => a - b),
    M: integer('--M', values.M, 32, 2),
    efConstruction: integer('--ef-construction', values['ef-construction'], 200),
    rounds: integer('--rounds', values.rounds ?? process.env.BENCH_ROUNDS, quick ? 1 : 3),
    seed: integer('--seed', values.seed, 42, 0),
    cache: !values['no-cache'],
    only: new Set(only as ContenderId[]),
  };
}
