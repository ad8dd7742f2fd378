import { measureLatency, measureMaxRate } from './windows/latency.js';
import { DEFAULT_GENERATOR, generateEvents } from './windows/nexmark.js';
import { QUERIES } from './windows/queries.js';
import { referenceResults } from './windows/reference.js';
const id = process.env.Q ?? 'q5';
const query = QUERIES.find((q) => q.id === id)!;
const engine = process.env.ENGINE ?? 'native';
const events = generateEvents(2_000_000, DEFAULT_GENERATOR);
const common = { query, windowOptions: { engine } as any, lingerMs: 1 };
const probe = events.slice(0, 300_000);
const max = await measureMaxRate({ ...common, events: probe, expected: () => referenceResults(id, probe) });
const rate = Number(process.env.RATE ?? Math.round(max / 2));
for (let r = 0; r < Number(process.env.R ?? 3); r++) {
  const res = await measureLatency({ ...common, events, rate, expected: () => referenceResults(id, events) });
  console.log(`max ${Math.round(max)} rate ${rate}: samples ${res.samples} p50 ${res.p50Ms.toFixed(2)} p99 ${res.p99Ms.toFixed(2)} max ${res.maxMs.toFixed(2)} cpu ${res.cpuShare.toFixed(2)}`);
}
