import { parseArgs } from 'node:util';
import { integerOption } from '../integer-option.js';

export const HELP = `usage: pnpm bench:kernel [--quick] [--records N] [--async-records N] [--langchain-records N]
                         [--concurrency N] [--warmup N] [--rounds N] [--only id,id,...]
  --quick              smoke run: 200k sync / 20k async / 2k LangChain records, 1 warm-up + 1 measured round
  --records N          sync-case records (env BENCH_RECORDS; default 2,000,000)
  --async-records N    SAGE async-case records (env BENCH_ASYNC_RECORDS; default 200,000)
  --langchain-records N  LangChain async-case records (env BENCH_LANGCHAIN_RECORDS; default 20,000)
  --concurrency N      SAGE concurrency and LangChain maxConcurrency (env BENCH_CONCURRENCY; default 64)
  --warmup N / --rounds N  warm-up and measured rounds (env BENCH_WARMUP / BENCH_ROUNDS; default 1 / 3)
  --only ids           run only these contenders: loop rxjs-groupby rxjs-scan node-streams sage sage-async langchain`;

export const CONTENDER_IDS = ['loop', 'rxjs-groupby', 'rxjs-scan', 'node-streams', 'sage', 'sage-async', 'langchain'];

export interface BenchOptions {
  syncRecords: number;
  asyncRecords: number;
  langchainRecords: number;
  concurrency: number;
  warmup: number;
  rounds: number;
  /** Contender ids to run; undefined runs all. */
  only: string[] | undefined;
}

/** Flags win over environment variables, which win over the defaults (smaller ones under --quick). */
export function readOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    // pnpm may pass a literal `--` before the script's flags.
    args: argv.filter((arg) => arg !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      records: { type: 'string' },
      'async-records': { type: 'string' },
      'langchain-records': { type: 'string' },
      concurrency: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const quick = values.quick;
  const count = (flag: string | undefined, envName: string, normal: number, quickValue: number, min = 0): number =>
    integerOption(envName, flag ?? process.env[envName], quick ? quickValue : normal, min);
  const only = values.only?.split(',').map((id) => id.trim());
  const unknown = only?.filter((id) => !CONTENDER_IDS.includes(id)) ?? [];
  if (unknown.length > 0) throw new Error(`--only: unknown contender ${unknown.join(', ')} (known: ${CONTENDER_IDS.join(' ')})`);
  return {
    syncRecords: count(values.records, 'BENCH_RECORDS', 2_000_000, 200_000),
    asyncRecords: count(values['async-records'], 'BENCH_ASYNC_RECORDS', 200_000, 20_000),
    langchainRecords: count(values['langchain-records'], 'BENCH_LANGCHAIN_RECORDS', 20_000, 2_000),
    concurrency: count(values.concurrency, 'BENCH_CONCURRENCY', 64, 64, 1),
    warmup: count(values.warmup, 'BENCH_WARMUP', 1, 1),
    rounds: count(values.rounds, 'BENCH_ROUNDS', 3, 1, 1),
    only,
  };
}
