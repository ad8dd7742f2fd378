/**
 * Prints the functions with the most self time in a V8 CPU profile (from `node --cpu-prof`), e.g.
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx kernel/run.ts --only sage --async-records 0
 *   npx tsx kernel/profile-top.ts /tmp/prof/CPU.*.cpuprofile [limit]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, limitArg] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: tsx kernel/profile-top.ts <file.cpuprofile> [limit]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
  const where = url.replace(/^.*\/(packages|node_modules|bench)\//, '$1/');
  const key = `${functionName || '(anonymous)'}  ${where}${where ? `:${lineNumber + 1}` : ''}`;
  const micros = profile.timeDeltas[i] ?? 0;
  selfMicros.set(key, (selfMicros.get(key) ?? 0) + micros);
  total += micros;
});
console.log(`total ${(total / 1000).toFixed(0)} ms sampled`);
for (const [key, micros] of [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, Number(limitArg ?? 25))) {
  console.log(`${(micros / 1000).toFixed(0).padStart(7)} ms ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${key}`);
}
