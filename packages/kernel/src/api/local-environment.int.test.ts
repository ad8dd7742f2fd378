import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Child processes import the built kernel, as a user's program would.
const kernelEntry = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'sage-kernel-int-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function runChild(script: string, onStdout?: (text: string, child: ReturnType<typeof spawn>) => void) {
  const file = join(workDir, `child-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, script.replaceAll('KERNEL', JSON.stringify(kernelEntry)));
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    onStdout?.(stdout, child);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('LocalEnvironment in a real process', () => {
  it('Ctrl+C (SIGINT) stops gracefully: the sink is closed and nothing is half-written', async () => {
    const output = join(workDir, 'out.txt');
    const script = `
      import { createWriteStream } from 'node:fs';
      import { LocalEnvironment, SinkFunction } from KERNEL;
      class LineSink extends SinkFunction {
        open() { this.file = createWriteStream(${JSON.stringify(output)}); this.n = 0; }
        execute(n) {
          this.file.write('line ' + n + '\\n');
          if (++this.n === 100) console.log('ready');
        }
        close() { return new Promise((resolve) => this.file.end('closed\\n', resolve)); }
      }
      const env = new LocalEnvironment('sigint', { logLevel: 'silent' });
      let n = 0;
      env.fromSource(async () => { await new Promise((r) => setImmediate(r)); return n++; }).sink(LineSink);
      const result = await env.submit({ autostop: true });
      console.log('status ' + result.status);
    `;
    let signalled = false;
    const { code, stdout } = await runChild(script, (text, child) => {
      if (!signalled && text.includes('ready')) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    expect(code).toBe(0);
    expect(stdout).toContain('status stopped');
    const lines = readFileSync(output, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.pop()).toBe('closed');
    expect(lines.length).toBeGreaterThanOrEqual(100);
    expect(lines).toEqual(lines.map((_, i) => `line ${i}`));
  });

  it('keyBy places keys on the same instances in every process (hashing is not salted)', async () => {
    const script = `
      import { LocalEnvironment, MapFunction } from KERNEL;
      class Where extends MapFunction { execute(k) { return JSON.stringify(k) + '@' + this.ctx.parallelIndex; } }
      const keys = [0, 1, 2, '', 'a', 'b', 'hello', false, true, null, 3.5, -1, { x: 1 }, [1, 2]];
      const env = new LocalEnvironment('placement', { logLevel: 'silent', handleSignals: false });
      const out = [];
      env.fromBatch(keys).keyBy((k) => k).map(Where, {}, { parallelism: 5 }).sink((s) => out.push(s));
      await env.submit({ autostop: true });
      console.log(JSON.stringify(out.sort()));
    `;
    const first = await runChild(script);
    const second = await runChild(script);
    expect(first.code).toBe(0);
    const placements = JSON.parse(first.stdout) as string[];
    expect(placements).toHaveLength(14);
    expect(new Set(placements.map((p) => p.split('@').pop())).size).toBeGreaterThan(1);
    expect(second.stdout).toBe(first.stdout);
  });
});
