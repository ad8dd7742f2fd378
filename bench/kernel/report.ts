import { cpus, totalmem } from 'node:os';
import type { BenchOptions } from './options.js';
import { format, type Measurement } from './harness.js';

export function printHeader(options: BenchOptions): void {
  const cpu = cpus();
  console.log('# SAGE kernel throughput benchmark\n');
  console.log(`- date: ${new Date().toISOString()}`);
  console.log(`- node: ${process.version} (${process.platform}/${process.arch}), memory ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  console.log(`- cpu: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores (os.cpus())`);
  console.log(`- runs: ${options.warmup} warm-up + ${options.rounds} measured per contender, interleaved; medians reported`);
  console.log(`- async concurrency: SAGE \`concurrency: ${options.concurrency}\`, LangChain \`maxConcurrency: ${options.concurrency}\`\n`);
}

/** One table for both cases; each case's ratios are relative to its SAGE row. */
export function printTable(cases: Array<{ name: string; results: Measurement[]; sage: string }>): void {
  console.log('| case | contender | records | median records/s | range records/s | median ms | median GC ms | peer ÷ SAGE | SAGE ÷ peer |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const { name, results, sage } of cases) {
    const reference = results.find((m) => m.name === sage);
    for (const m of results) {
      const ratio = (a: number, b: number | undefined) => (b === undefined ? 'n/a' : (a / b).toFixed(2));
      const range = `${format(Math.min(...m.rates))} – ${format(Math.max(...m.rates))}`;
      console.log(
        `| ${name} | ${m.name} | ${format(m.records)} | ${format(m.medianRate)} | ${range} | ${format(m.medianMs)} | ` +
          `${format(m.medianGcMs)} | ${ratio(m.medianRate, reference?.medianRate)} | ${reference ? ratio(reference.medianRate, m.medianRate) : 'n/a'} |`,
      );
    }
  }
}

export interface Target {
  label: string;
  /** What the ratio is, e.g. "SAGE ÷ streams". */
  ratioName: string;
  numerator: Measurement | undefined;
  denominator: Measurement | undefined;
  passes: (ratio: number) => boolean;
}

export function printTargets(targets: Target[]): void {
  console.log('\n| target | measured | result |');
  console.log('|---|---:|---|');
  for (const { label, ratioName, numerator, denominator, passes } of targets) {
    if (numerator === undefined || denominator === undefined) {
      console.log(`| ${label} | not run | SKIP |`);
      continue;
    }
    const ratio = numerator.medianRate / denominator.medianRate;
    console.log(`| ${label} | ${ratioName} = ${ratio.toFixed(2)} | ${passes(ratio) ? 'PASS' : 'MISS'} |`);
  }
  console.log('\nTargets are informational: the exit code is 0 either way (a failed output verification exits 1).');
}
