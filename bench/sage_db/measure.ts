/** Timing, memory and recall helpers shared by every section of the benchmark. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Pass, Runner } from './contenders/contender.js';

/** A full GC (exposed without --expose-gc), run outside every clock. */
export const collectGarbage: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** Process RSS and V8 heap after a full GC, in bytes. */
export function memory(): { rss: number; heap: number } {
  collectGarbage();
  collectGarbage();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface TimedPass {
  ms: number;
  labels: ArrayLike<number>[];
}

/** `prepare` and a GC outside the clock, then the timed `run`, then `decode` outside the clock. */
export async function timedPass(runner: Runner, pass: Pass): Promise<TimedPass> {
  await runner.prepare?.(pass.ef);
  collectGarbage();
  const started = performance.now();
  const raw = await runner.run(pass);
  const ms = performance.now() - started;
  if (raw.length !== pass.count) throw new Error(`${runner.name}: ${raw.length} answers for ${pass.count} queries`);
  return { ms, labels: raw.map((answer) => runner.decode(answer)) };
}

export interface Score {
  /** Found true neighbours over the true neighbours that exist (min(k, matches) per query). */
  recall: number;
  /** Queries that returned exactly min(k, matches) results. */
  exactK: number;
  /** Returned labels that break the filter, repeat, or are out of range. */
  wrong: number;
  queries: number;
}

/**
 * Scores the answers to the first `labels.length` queries against `truth` (`queries * k`, `-1`-padded).
 * `accept` tells which labels the filter allows (all when omitted).
 */
export function score(labels: ArrayLike<number>[], truth: Int32Array, k: number, count: number, accept?: (label: number) => boolean): Score {
  let found = 0;
  let possible = 0;
  let exactK = 0;
  let wrong = 0;
  labels.forEach((answer, q) => {
    const expected = new Set<number>();
    for (let i = 0; i < k; i++) {
      const label = truth[q * k + i]!;
      if (label >= 0) expected.add(label);
    }
    possible += expected.size;
    if (answer.length === expected.size) exactK++;
    const seen = new Set<number>();
    for (let i = 0; i < answer.length; i++) {
      const label = answer[i]!;
      if (seen.has(label) || !(label >= 0 && label < count) || (accept !== undefined && !accept(label))) wrong++;
      else if (expected.has(label)) found++;
      seen.add(label);
    }
  });
  return { recall: possible === 0 ? 1 : found / possible, exactK, wrong, queries: labels.length };
}

/** Rotates `items` by `shift`, so that no runner always goes first. */
export function rotate<T>(items: readonly T[], shift: number): T[] {
  if (items.length === 0) return [];
  const s = shift % items.length;
  return [...items.slice(s), ...items.slice(0, s)];
}
