import { cpus, totalmem } from 'node:os';
import type { DistributedOptions } from './options.js';

export interface Result {
  name: string;
  /** Records through the source; records/s = records / wall seconds. */
  records: number;
  wallMs: number;
  /** Add-to-done latencies (ms) of the records that reached the sink. */
  latencies: number[];
  note: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function rate(result: Result): number {
  return result.records / (result.wallMs / 1000);
}

export function p50(result: Result): number {
  return percentile(result.latencies, 50);
}

export function printReport(options: DistributedOptions, results: Result[], targets: string[]): void {
  const cpu = cpus();
  console.log('# SAGE distributed benchmark\n');
  console.log(`- date: ${new Date().toISOString()}`);
  console.log(`- node: ${process.version} (${process.platform}/${process.arch}), memory ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  console.log(`- cpu: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores (os.cpus()); Redis on the same machine`);
  console.log(`- records: ${fmt(options.records)} per throughput run; light load: ${options.rate} records/s for ${options.lightSeconds} s`);
  console.log('- one measured run per contender, no warm-up; latency is add-to-done: source emit (or Queue.add) to the sink\n');
  console.log('| contender | records | records/s | p50 ms | p99 ms | how |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${fmt(r.records)} | ${fmt(rate(r))} | ${fmt(p50(r), 2)} | ${fmt(percentile(r.latencies, 99), 2)} | ${r.note} |`,
    );
  }
  console.log('');
  for (const line of targets) console.log(line);
}
