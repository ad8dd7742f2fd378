import { setFlagsFromString } from "node:v8"; if (process.env.OLD) setFlagsFromString(`--initial-old-space-size=${process.env.OLD}`);
import { PerformanceObserver, performance as perf } from 'node:perf_hooks';
import { END_OF_STREAM, type EndOfStream } from '@sage/kernel';
import { measureMaxRate } from './latency.js';
import { DEFAULT_GENERATOR, type NexmarkEvent, NexmarkGenerator } from './nexmark.js';
import { QUERIES, type WindowValue } from './queries.js';
import { OUT_OF_ORDERNESS_MS, runQuery } from './run-query.js';

const [qid, engine, rateArg, secondsArg] = process.argv.slice(2);
const query = QUERIES.find((q) => q.id === qid)!;
const windowOptions = { engine: engine as 'native' | 'typescript' };
const generatorConfig = DEFAULT_GENERATOR;
const common = { query, generator: generatorConfig, windowOptions, lingerMs: 1 };
const probed = await measureMaxRate({ ...common, events: 300_000 });
const rate = rateArg === 'auto' ? Math.round(probed / 2) : Number(rateArg);
const events = rate * Number(secondsArg);
console.log(`probed ${Math.round(probed)} rate ${rate} events ${events}`);
const gcs: Array<{ start: number; duration: number; kind: number }> = [];
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ start: e.startTime, duration: e.duration, kind: (e as any).detail?.kind ?? 0 });
});
obs.observe({ entryTypes: ['gc'] });
import { Session } from 'node:inspector/promises';
const session = new Session();
if (process.env.HEAP) { session.connect(); await session.post('HeapProfiler.startSampling', { samplingInterval: 2048, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.HEAP === 'minor' } as any); }
const generator = new NexmarkGenerator(generatorConfig);
const arrivals = new Float64Array(events);
const newestTime = new Float64Array(events);
let newest = -Infinity;
let next = 0;
let start = 0;
const lagMax: number[] = [];
const offer = (due: number): NexmarkEvent => {
  const event = generator.next();
  arrivals[next] = due;
  newestTime[next++] = newest = Math.max(newest, event.dateTime);
  return event;
};
function waitUntil(due: number): Promise<void> {
  return new Promise((resolve) => {
    const spin = () => (performance.now() >= due ? resolve() : setImmediate(spin));
    const ahead = due - performance.now();
    if (ahead > 2) setTimeout(spin, ahead - 1.5);
    else setImmediate(spin);
  });
}
const source = (): NexmarkEvent | EndOfStream | Promise<NexmarkEvent | EndOfStream> => {
  if (next === events) return END_OF_STREAM;
  if (next === 0) start = performance.now();
  const due = start + (next * 1000) / rate;
  const now = performance.now();
  if (now >= due) { const b = Math.floor((due - start) / 100); lagMax[b] = Math.max(lagMax[b] ?? 0, now - due); return offer(due); }
  return waitUntil(due).then(() => offer(due));
};
const received: Array<{ result: any; at: number }> = [];
const LEAN = process.env.LEAN === '1';
const leanLat = new Float64Array(10_000_000); const leanDue = new Float64Array(10_000_000); let leanN = 0;
await runQuery({ query, source, windowOptions, environment: { lingerMs: 1 }, onResult: (result) => {
  if (!LEAN) { received.push({ result, at: performance.now() }); return; }
  const at = performance.now();
  let low = 0, high = next;
  const target = (result as WindowValue).windowEnd - 1 + OUT_OF_ORDERNESS_MS + 1;
  while (low < high) { const mid = (low + high) >>> 1; if (newestTime[mid]! >= target) high = mid; else low = mid + 1; }
  if (low < next) { leanLat[leanN] = at - arrivals[low]!; leanDue[leanN++] = arrivals[low]!; }
} });
obs.disconnect();
if (process.env.HEAP) {
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as any;
  const bySite = new Map<string, number>();
  const walk = (node: any, stack: string[]) => {
    const cf = node.callFrame;
    const here = `${cf.functionName || '(anon)'} ${cf.url.split('/').pop()}:${cf.lineNumber + 1}`;
    const self = node.selfSize as number;
    if (self > 0) { const key = here + '  <  ' + stack.slice(-2).reverse().join(' < '); bySite.set(key, (bySite.get(key) ?? 0) + self); }
    for (const c of node.children) walk(c, [...stack, here]);
  };
  walk(profile.head, []);
  const total = [...bySite.values()].reduce((a, b) => a + b, 0);
  console.log(`heap sampled: ${(total / 1e6).toFixed(1)} MB = ${(total / events).toFixed(1)} B/event`);
  for (const [k, v] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${(v / events).toFixed(2)} B/ev  ${k}`);
}
function firstIndexAtLeast(values: Float64Array, target: number) {
  let low = 0, high = values.length;
  while (low < high) { const mid = (low + high) >>> 1; if (values[mid]! >= target) high = mid; else low = mid + 1; }
  return low < values.length ? low : undefined;
}
const lat: Array<{ l: number; at: number; due: number }> = [];
for (let i = 0; i < leanN; i++) lat.push({ l: leanLat[i]!, at: leanDue[i]! + leanLat[i]!, due: leanDue[i]! });
for (const { result, at } of received) {
  const due = firstIndexAtLeast(newestTime, (result as WindowValue).windowEnd - 1 + OUT_OF_ORDERNESS_MS + 1);
  if (due !== undefined) lat.push({ l: at - arrivals[due]!, at, due: arrivals[due]! });
}
const sorted = lat.map((x) => x.l).sort((a, b) => a - b);
const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
console.log(`samples ${sorted.length} p50 ${q(0.5).toFixed(2)} p90 ${q(0.9).toFixed(2)} p99 ${q(0.99).toFixed(2)} max ${sorted.at(-1)!.toFixed(2)}`);
const gcTotal = gcs.reduce((s, g) => s + g.duration, 0);
console.log(`gc: ${gcs.length} entries, total ${gcTotal.toFixed(0)} ms, max ${Math.max(...gcs.map((g) => g.duration)).toFixed(2)} ms; kinds ${JSON.stringify(gcs.reduce((m: any, g) => ((m[g.kind] = (m[g.kind] ?? 0) + 1), m), {}))}`);
const big = gcs.filter((g) => g.duration > 3);
console.log('gc > 3 ms:', big.map((g) => `${(g.start - start).toFixed(0)}:${g.duration.toFixed(1)}(k${g.kind})`).join(' '));
// worst latencies with the GCs in their window
const worst = [...lat].sort((a, b) => b.l - a.l).slice(0, 12);
for (const w of worst) {
  const inWin = gcs.filter((g) => g.start + g.duration >= w.due && g.start <= w.at);
  console.log(`lat ${w.l.toFixed(2)} at +${(w.due - start).toFixed(0)} ms; gc in window: ${inWin.map((g) => `${g.duration.toFixed(1)}(k${g.kind})`).join(' ')} (sum ${inWin.reduce((s, g) => s + g.duration, 0).toFixed(1)})`);
}

const latMax: number[] = [];
for (const w of lat) { const b = Math.floor((w.due - start) / 100); latMax[b] = Math.max(latMax[b] ?? 0, w.l); }
const rows: string[] = [];
for (let b = 0; b < lagMax.length; b++) rows.push(`${b}:${(lagMax[b] ?? 0).toFixed(1)}/${(latMax[b] ?? 0).toFixed(1)}`);
console.log('per 100 ms (source lag max / latency max):', rows.join(' '));
