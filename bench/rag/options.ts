import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { integerOption } from '../integer-option.js';

export const HELP = `usage: pnpm bench:rag [--quick] [--questions N] [--concurrency N] [--workers N] [--warmup N] [--rounds N] [--question-rounds N]
  --quick            smoke run: 40 questions, 1 warm-up + 1 measured round of each
  --questions N      questions from examples/rag/eval.jsonl, from the top (env BENCH_QUESTIONS; default 200, the whole set)
  --concurrency N    SAGE \`concurrency\` / LangChain \`maxConcurrency\` of the concurrent runs (env BENCH_CONCURRENCY; default 32)
  --workers N        embedder threads of the SAGE run with \`workers\` (env BENCH_WORKERS; default the available cores)
  --rounds N         measured ingest rounds (env BENCH_ROUNDS; default 3; a round is ~45 s)
  --question-rounds N  measured question rounds (env BENCH_QUESTION_ROUNDS; default 5; a round is ~20 s)
  --warmup N         warm-up question rounds (env BENCH_WARMUP; default 2); ingest warms up on 3 documents`;

export interface RagBenchOptions {
  questions: number;
  concurrency: number;
  workers: number;
  warmup: number;
  rounds: number;
  questionRounds: number;
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
      workers: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      'question-rounds': { type: 'string' },
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
  return {
    questions: count(values.questions, 'BENCH_QUESTIONS', 200, 40, 1),
    concurrency: count(values.concurrency, 'BENCH_CONCURRENCY', 32, 32, 1),
    workers: count(values.workers, 'BENCH_WORKERS', availableParallelism(), availableParallelism(), 1),
    warmup: count(values.warmup, 'BENCH_WARMUP', 2, 1),
    rounds: count(values.rounds, 'BENCH_ROUNDS', 3, 1, 1),
    questionRounds: count(values['question-rounds'], 'BENCH_QUESTION_ROUNDS', 5, 1, 1),
  };
}
