import { constants, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One implementation of a case: `run` does the whole job once and returns what `verify` checks. */
export interface Contender<R> {
  name: string;
  records: number;
  run(): Promise<R>;
  verify(result: R): void;
}

export interface Measurement {
  name: string;
  records: number;
  /** Records per second of each measured run. */
  rates: number[];
  medianRate: number;
  medianMs: number;
  /** Median time spent in garbage collection during a run. */
  medianGcMs: number;
  /** Records per CPU-second (user + system time of the whole process, all threads) of each measured run. */
  cpuRates: number[];
  medianCpuRate: number;
}

/**
 * A full GC between runs, so one contender's garbage is not collected on another's clock. BENCH_FORCE_GC=0
 * turns it off (for CPU profiles, where the forced collections would otherwise dominate "(garbage collector)").
 */
export const collectGarbage: () => void = (() => {
  if (process.env.BENCH_FORCE_GC === '0') return () => {};
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** GC pauses as [start, end, kind] in performance.now() time; entries arrive asynchronously, after the pause. */
const gcPauses: Array<[number, number, number]> = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push([entry.startTime, entry.startTime + entry.duration, ((entry as { detail?: { kind?: number } }).detail?.kind ?? 0)]);
}).observe({ entryTypes: ['gc'] });

export interface GcSummary {
  pauses: number;
  /** Mark-compact collections of the whole heap (the others are young-generation scavenges). */
  major: number;
  longestMs: number;
  totalMs: number;
}

/** The collector's pauses between `from` and `to` (performance.now() times); forgets every pause seen so far. */
export async function gcDuring(from: number, to: number): Promise<GcSummary> {
  await new Promise((resolve) => setTimeout(resolve, 1)); // let the observer deliver the last entries
  const summary: GcSummary = { pauses: 0, major: 0, longestMs: 0, totalMs: 0 };
  for (const [start, end, kind] of gcPauses.splice(0)) {
    if (start < from || end > to) continue;
    summary.pauses++;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) summary.major++;
    summary.longestMs = Math.max(summary.longestMs, end - start);
    summary.totalMs += end - start;
  }
  return summary;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `warmup + rounds` rounds; in each round every contender runs once, and the order rotates from round
 * to round so that no contender always runs first (or right after the same neighbour). Every run, warm-up
 * included, is verified. Only the measured rounds count.
 */
export async function measure(
  contenders: ReadonlyArray<Contender<any>>,
  warmup: number,
  rounds: number,
  log: (line: string) => void,
): Promise<Measurement[]> {
  const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const gcTimes = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const cpuTimes = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    const label = round < warmup ? `warm-up ${round + 1}/${warmup}` : `round ${round - warmup + 1}/${rounds}`;
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(round + k) % contenders.length]!;
      collectGarbage();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const result = await contender.run();
      const ended = performance.now();
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const ms = ended - started;
      const gcMs = (await gcDuring(started, ended)).totalMs;
      contender.verify(result);
      const rateText = `${format(rate(contender.records, ms))} rec/s`.padStart(18);
      log(`  ${label.padEnd(12)} ${contender.name.padEnd(38)} ${ms.toFixed(0).padStart(6)} ms ${rateText}  (gc ${gcMs.toFixed(0)} ms, cpu ${cpuMs.toFixed(0)} ms)`);
      if (round >= warmup) {
        times.get(contender.name)!.push(ms);
        gcTimes.get(contender.name)!.push(gcMs);
        cpuTimes.get(contender.name)!.push(cpuMs);
      }
    }
  }
  return contenders.map((c) => {
    const ms = times.get(c.name)!;
    const rates = ms.map((t) => rate(c.records, t));
    const medianGcMs = median(gcTimes.get(c.name)!);
    const cpuRates = cpuTimes.get(c.name)!.map((t) => rate(c.records, t));
    return { name: c.name, records: c.records, rates, medianRate: median(rates), medianMs: median(ms), medianGcMs, cpuRates, medianCpuRate: median(cpuRates) };
  });
}

function rate(records: number, ms: number): number {
  return records / (ms / 1000);
}

/** 1234567 -> "1,234,567". */
export function format(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
