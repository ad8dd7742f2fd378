import { LocalEnvironment } from '@sage/kernel';
const records = Array.from({ length: 2_000_000 }, (_, i) => ({ i }));
for (const round of [1, 2, 3]) for (const stages of [0, 4]) {
  const env = new LocalEnvironment('b', { logLevel: 'warn', handleSignals: false });
  let s: any = env.fromBatch(records);
  for (let k = 0; k < stages; k++) s = s.map((r: any) => r);
  let n = 0; s.sink(() => { n++; });
  const t = performance.now(); await env.submit({ autostop: true }); const ms = performance.now() - t;
  if (round > 1) console.log(stages, ms.toFixed(1), 'ms', (ms * 1e6 / 2e6).toFixed(1), 'ns/rec');
}
