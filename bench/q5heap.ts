import { Session } from 'node:inspector/promises';
import { measureLatency } from './windows/latency.js';
import { DEFAULT_GENERATOR, generateEvents } from './windows/nexmark.js';
import { QUERIES } from './windows/queries.js';
import { referenceResults } from './windows/reference.js';
const id = process.env.Q ?? 'q5';
const query = QUERIES.find((q) => q.id === id)!;
const events = generateEvents(1_000_000, DEFAULT_GENERATOR);
const common = { query, windowOptions: { engine: process.env.ENGINE ?? 'native' } as any, lingerMs: 1 };
const rate = Number(process.env.RATE ?? 750000);
await measureLatency({ ...common, events, rate, expected: () => referenceResults(id, events) });
const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true } as any);
const res = await measureLatency({ ...common, events, rate, expected: () => [] as any }).catch((e) => { console.error('verify', String(e).slice(0, 100)); });
const { profile } = (await session.post('HeapProfiler.stopSampling')) as any;
// aggregate self size by function+url:line
const totals = new Map<string, number>();
let all = 0;
const walk = (node: any, stack: string[]) => {
  const f = node.callFrame;
  const name = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  if (node.selfSize > 0) { totals.set(name, (totals.get(name) ?? 0) + node.selfSize); all += node.selfSize; }
  for (const c of node.children) walk(c, [...stack, name]);
};
walk(profile.head, []);
console.log(`total sampled ${(all / 1e6).toFixed(1)} MB for ${events.length} events = ${(all / events.length).toFixed(0)} B/event`);
for (const [k, v] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log((v / events.length).toFixed(1).padStart(7), 'B/ev', k);
process.exit(0);
