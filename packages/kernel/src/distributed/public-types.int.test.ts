import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built declarations, as a user's compiler reads them (build the kernel first).
const entry = fileURLToPath(new URL('../../dist/index.d.ts', import.meta.url));

/** Every declaration file reachable from `file` through relative imports, and the packages they import. */
function walk(file: string, files = new Set<string>(), packages = new Set<string>()) {
  if (files.has(file)) return { files, packages };
  files.add(file);
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
    if (specifier.startsWith('.')) walk(resolve(dirname(file), specifier.replace(/\.js$/, '.d.ts')), files, packages);
    else packages.add(specifier);
  }
  return { files, packages };
}

describe('@sage/kernel public declarations', () => {
  it('never reach ioredis or BullMQ types', () => {
    expect(existsSync(entry), `${entry} is missing: run tsc -p tsconfig.build.json in packages/kernel`).toBe(true);
    const { files, packages } = walk(entry);
    for (const module of ['job-store.d.ts', 'remote-environment.d.ts', 'sage-worker.d.ts']) {
      expect([...files].some((file) => file.endsWith(module)), module).toBe(true);
    }
    expect([...packages].filter((name) => /ioredis|bullmq/.test(name))).toEqual([]);
  });
});
