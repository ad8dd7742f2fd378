import { collectResults } from './windows/run-query.js';
import { DEFAULT_GENERATOR, generateEvents } from './windows/nexmark.js';
import { QUERIES } from './windows/queries.js';
const query = QUERIES.find((q) => q.id === (process.env.Q ?? 'q5'))!;
const events = generateEvents(1_000_000, DEFAULT_GENERATOR);
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  const m0 = process.memoryUsage().heapUsed;
  await collectResults(query, events, { engine: process.env.ENGINE ?? 'native' } as any);
  console.log(`${(1e6 / (performance.now() - t0) * 1000).toFixed(0)} events/s`);
}
