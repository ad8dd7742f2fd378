import { parseArgs } from 'node:util';
import { integerOption } from '../integer-option.js';

export const HELP = `usage: pnpm bench:distributed [--quick] [--records N] [--rate N] [--light-seconds N] [--bull-concurrency N]
  --quick                smoke run: 2,000 records
  --records N            records per throughput run (env BENCH_RECORDS; default 20,000)
  --rate N               records/s of the light-load SAGE run (env BENCH_RATE; default 200)
  --light-seconds N      length of the light-load run in seconds (env BENCH_LIGHT_SECONDS; default 2)
  --bull-concurrency N   BullMQ Worker concurrency per stage and process (env BENCH_BULL_CONCURRENCY; default 16)
Redis: REDIS_URL (default redis://127.0.0.1:6379).`;

export interface DistributedOptions {
  records: number;
  rate: number;
  lightSeconds: number;
  bullConcurrency: number;
  redis: string;
}

/** Flags win over environment variables, which win over the defaults (smaller under --quick). */
export function readOptions(argv: string[]): DistributedOptions | undefined {
  const { values } = parseArgs({
    // pnpm may pass a literal `--` before the script's flags.
    args: argv.filter((arg) => arg !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      records: { type: 'string' },
      rate: { type: 'string' },
      'light-seconds': { type: 'string' },
      'bull-concurrency': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const env = process.env;
  return {
    records: integerOption('--records', values.records ?? env.BENCH_RECORDS, values.quick ? 2_000 : 20_000, 1),
    rate: integerOption('--rate', values.rate ?? env.BENCH_RATE, 200, 1),
    lightSeconds: integerOption('--light-seconds', values['light-seconds'] ?? env.BENCH_LIGHT_SECONDS, 2, 1),
    bullConcurrency: integerOption('--bull-concurrency', values['bull-concurrency'] ?? env.BENCH_BULL_CONCURRENCY, 16, 1),
    redis: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}
