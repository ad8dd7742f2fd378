/**
 * Every package must work when installed from its published tarball, outside the workspace: this packs
 * each one with `pnpm pack` (which turns `workspace:` ranges into versions), installs the tarballs into an
 * empty project with npm, and runs a small pipeline there, directly and through the `sage` command.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = ['common', 'kernel', 'middleware', 'libs', 'cli'];
/** Packages outside `packages/`, by directory, with their npm names. */
const nativePackages = [
  { directory: 'native/sage_db', name: 'sage-db-native' },
  { directory: 'native/sage_flow', name: 'sage-flow-native' },
];
const work = mkdtempSync(join(tmpdir(), 'sage-pack-'));
const project = join(work, 'project');

const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });

beforeAll(() => {
  const tarballs = join(work, 'tarballs');
  for (const name of packages) {
    run('pnpm', ['pack', '--pack-destination', tarballs], join(root, 'packages', name));
  }
  for (const { directory } of nativePackages) run('pnpm', ['pack', '--pack-destination', tarballs], join(root, directory));
  mkdirSync(project, { recursive: true });
  run('npm', ['init', '-y'], project);
  const files = readdirSync(tarballs).map((file) => join(tarballs, file));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files], project);
  const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
  manifest.type = 'module';
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const pipeline = `
import { LocalEnvironment, MapFunction } from '@sage/kernel';
import { runOperator } from '@sage/kernel/testing';
import { TerminalSink } from '@sage/libs/io';
class Upper extends MapFunction { execute(s) { return s.toUpperCase(); } }
const env = new LocalEnvironment('packed', { logLevel: 'silent' });
env.fromBatch(['packed', 'and', 'installed']).map(Upper).keyBy((w) => w.length).map((w) => w + '!', { parallelism: 2 }).filter(() => true).sink(TerminalSink);
const result = await env.submit({ autostop: true });
const harness = await runOperator('map', (n) => n * 2, { records: [1, 2] });
console.log('status ' + result.status + ' harness ' + harness.output.join(','));
`;

describe('published packages', () => {
  it('carry no workspace-only paths: a pipeline runs from the installed tarballs', () => {
    writeFileSync(join(project, 'pipeline.mjs'), pipeline);
    const stdout = run(process.execPath, ['pipeline.mjs'], project);
    const lines = stdout.trim().split('\n');
    expect([...lines.slice(0, 3)].sort()).toEqual(['AND!', 'INSTALLED!', 'PACKED!']);
    expect(lines[3]).toBe('status finished harness 2,4');
  });

  it('installs the sage command, which runs a TypeScript pipeline file', () => {
    const version = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')).version;
    expect(run(join(project, 'node_modules/.bin/sage'), ['--version'], project).trim()).toBe(version);
    writeFileSync(join(project, 'pipeline.ts'), pipeline.replace("(s) {", "(s: string) {"));
    const stdout = run(join(project, 'node_modules/.bin/sage'), ['run', 'pipeline.ts'], project);
    expect(stdout).toContain('status finished harness 2,4');
  });

  it('build the sage_db addon from the installed package and run SageDB on FAISS', () => {
    const sage = join(project, 'node_modules/.bin/sage');
    const built = run(sage, ['extensions', 'install', 'sage_db'], project);
    expect(built).toContain('sage_db  built and loadable');
    writeFileSync(
      join(project, 'vectors.mjs'),
      `import { SageDB } from '@sage/middleware';
const db = await SageDB.open('./kb', { backend: 'faiss' });
const docs = await db.createCollection('docs', { dimension: 2, metric: 'l2', index: 'hnsw' });
await docs.upsert([{ id: 'near', vector: [0, 0], text: 'close by' }, { id: 'far', vector: [9, 9] }]);
console.log((await docs.search([1, 1], { k: 1 }))[0].id, db.backend);
await db.close();
`,
    );
    expect(run(process.execPath, ['vectors.mjs'], project).trim()).toBe('near faiss');
  });

  it('build the sage_flow addon from the installed package and run a window on it', () => {
    const sage = join(project, 'node_modules/.bin/sage');
    expect(run(sage, ['extensions', 'install', 'sage_flow'], project)).toContain('sage_flow  built and loadable');
    writeFileSync(
      join(project, 'windows.mjs'),
      `import { Count, LocalEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from '@sage/kernel';
const env = new LocalEnvironment('windows', { logLevel: 'silent' });
const counts = [];
env.fromBatch([{ k: 'a', ts: 1 }, { k: 'a', ts: 5 }, { k: 'b', ts: 12 }])
  .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner((e) => e.ts))
  .keyBy((e) => e.k).window(TumblingEventTimeWindows.of(10)).aggregate(Count, { engine: 'native' })
  .sink((count) => { counts.push(count); });
await env.submit({ autostop: true });
console.log(counts.join(','));
`,
    );
    expect(run(process.execPath, ['windows.mjs'], project).trim()).toBe('2,1');
  });

  it('ship only built files, types and docs', () => {
    for (const name of [...packages, ...nativePackages.map((entry) => entry.name)]) {
      const manifest = JSON.parse(readFileSync(join(project, 'node_modules/@sage', name, 'package.json'), 'utf8'));
      expect(JSON.stringify(manifest.dependencies ?? {})).not.toContain('workspace:');
      const shipped = readdirSync(join(project, 'node_modules/@sage', name));
      expect(shipped).toContain('dist');
      expect(shipped).not.toContain('src');
    }
  });
});
