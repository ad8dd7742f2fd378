import { parseArgs } from 'node:util';

export const HELP = `usage: pnpm bench:rag [--quick] [--questions N] [--concurrency N] [--warmup N] [--rounds N]
  --quick            smoke run: 40 questions, 1 warm-up + 1 measured round
  --questions N      questions from examples/rag/eval.jsonl, from the top (env BENCH_QUESTIONS; default 200, the whole set)
  --concurrency N    SAGE \`concurrency\` / LangChain \`maxConcurrency\` of the concurrent runs (env BENCH_CONCURRENCY; default 8)
  --warmup N / --rounds N  warm-up and measured rounds (env BENCH_WARMUP / BENCH_ROUNDS; default 1 / 3)`;

export interface RagBenchOptions {
  questions: number;
  concurrency: number;
  warmup: number;
  rounds: number;
}

/** Flags win over environment variables, which win over the defaults (smaller ones under --quick). */
export function readOptions(argv: string[]): RagBenchOptions {
  const { values } = parseArgs({
    // pnpm may pass a literal `--` before the script's flags.
    args: argv.filter((arg) => arg !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      questions: { type: 'string' },
      concurrency: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const quick = values.quick;
  const count = (flag: string | undefined, envName: string, normal: number, quickValue: number, min = 0): number => {
    const raw = flag ?? process.env[envName];
    if (raw === undefined || raw === '') return quick ? quickValue : normal;
    const value = Number(raw.replaceAll('_', '').replaceAll(',', ''));
    if (!Number.isInteger(value) || value < min) throw new Error(`${envName}: expected an integer >= ${min}, got "${raw}"`);
    return value;
  };
  return {
    questions: count(values.questions, 'BENCH_QUESTIONS', 200, 40, 1),
    concurrency: count(values.concurrency, 'BENCH_CONCURRENCY', 8, 8, 1),
    warmup: count(values.warmup, 'BENCH_WARMUP', 1, 1),
    rounds: count(values.rounds, 'BENCH_ROUNDS', 3, 1, 1),
  };
}
