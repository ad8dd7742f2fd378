/**
 * Kills a writing process with SIGKILL at different moments (during upserts, deletes and checkpoints)
 * and checks that the reopened database holds every acknowledged write and nothing half-applied.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from './__fixtures__/vectors.js';
import { SageDB } from './sage-db.js';

const middlewareEntry = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const scratch = temporaryDirectory('sage-db-crash-');
afterAll(() => scratch.remove());

// The writer prints a line only after the write it names has resolved (is acknowledged). It writes
// synchronously: an asynchronous pipe write could still be buffered when the process is killed.
const WRITER = `
import { writeSync } from 'node:fs';
import { SageDB } from ${JSON.stringify(middlewareEntry)};
const say = (line) => writeSync(1, line + '\\n');
const [path, backend] = process.argv.slice(2);
const db = await SageDB.open(path, { backend });
const docs = await db.getOrCreateCollection('docs', { dimension: 8, index: 'hnsw' });
say('ready');
const start = Number(process.argv[4]);
for (let batch = start; ; batch++) {
  const ids = Array.from({ length: 25 }, (_, i) => 'b' + batch + '-' + i);
  const vectors = new Float32Array(25 * 8).map((_, j) => Math.sin(batch * 31 + j));
  await docs.upsert({ ids, vectors, metadatas: ids.map(() => ({ batch })) });
  say('ack ' + batch);
  if (batch % 3 === 0) { await docs.delete(['b' + (batch - 1) + '-0']); say('del ' + (batch - 1)); }
  if (batch % 7 === 0) { await docs.checkpoint(); say('ckpt ' + batch); }
}
`;

// The kill is timed from the writer's 'ready' line, not from its spawn: on a loaded machine starting Node
// and loading the addon can take longer than the delay, and the kill would never land during a write.
function runWriter(path: string, backend: string, start: number, killAfterMs: number): Promise<string[]> {
  const file = join(scratch.path, 'writer.mjs');
  writeFileSync(file, WRITER);
  const child = spawn(process.execPath, [file, path, backend, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  let timer: NodeJS.Timeout | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk;
    if (timer === undefined && output.startsWith('ready\n')) {
      timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk;
  });
  return new Promise((resolve, reject) =>
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own: ${errors}`));
      else resolve(output.split('\n').filter((line) => line.length > 0));
    }),
  );
}

describe.each(['faiss', 'exact'] as const)('kill -9 during writes (%s backend)', (backend) => {
  it('every acknowledged write survives and no write is half-applied', async () => {
    const path = join(scratch.path, `db-${backend}`);
    const acknowledged = new Set<number>();
    const deleted = new Set<number>();
    // A delete whose line was not printed before the kill may or may not have happened.
    const maybeDeleted = new Set<number>();
    let next = 1;
    const recovery: number[] = [];
    for (const killAfterMs of [300, 450, 700, 380, 900, 520]) {
      const lines = await runWriter(path, backend, next, killAfterMs);
      let lastAck = -1;
      for (const line of lines) {
        const [kind, value] = line.split(' ');
        if (kind === 'ack') acknowledged.add((lastAck = Number(value)));
        if (kind === 'del') deleted.add(Number(value));
      }
      if (lastAck % 3 === 0 && !deleted.has(lastAck - 1)) maybeDeleted.add(lastAck - 1);
      const started = performance.now();
      const db = await SageDB.open(path, { backend });
      const docs = await db.getOrCreateCollection('docs', { dimension: 8, index: 'hnsw' });
      recovery.push(performance.now() - started);
      const batches = new Map<number, string[]>();
      for (const id of docs.ids()) {
        const batch = Number(id.slice(1, id.indexOf('-')));
        batches.set(batch, [...(batches.get(batch) ?? []), id]);
      }
      for (const batch of acknowledged) {
        const ids = batches.get(batch) ?? [];
        const firstGone = docs.get(`b${batch}-0`) === undefined;
        if (deleted.has(batch)) expect(ids.length, `batch ${batch}`).toBe(24);
        else if (maybeDeleted.has(batch)) expect(ids.length, `batch ${batch}`).toBe(firstGone ? 24 : 25);
        else expect(ids.length, `batch ${batch}`).toBe(25);
        expect(firstGone).toBe(ids.length === 24);
      }
      // A write in flight at the kill is all or nothing; once seen after a reopen it is durable, and the
      // next run builds on it like on any acknowledged write.
      for (const [batch, ids] of batches) {
        if (acknowledged.has(batch)) continue;
        expect(ids).toHaveLength(25);
        acknowledged.add(batch);
      }
      expect(docs.count).toBe([...batches.values()].reduce((total, ids) => total + ids.length, 0));
      next = Math.max(0, ...batches.keys(), ...acknowledged) + 1;
      await db.close();
    }
    expect(acknowledged.size).toBeGreaterThan(6);
    console.log(`${backend}: ${acknowledged.size} acknowledged batches survived 6 kills; reopen took ${recovery.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  }, 120_000);
});
