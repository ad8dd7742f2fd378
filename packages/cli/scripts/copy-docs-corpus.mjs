#!/usr/bin/env node
// Copies the project's README.md and docs/**/*.md into packages/cli/docs-corpus/ (run before packing), so
// that `sage chat` in an installed @sage/cli has the docs to answer from. docs-corpus/ is git-ignored.
//   node scripts/copy-docs-corpus.mjs [repository root] [target directory]
import { cpSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const source = resolve(process.argv[2] ?? join(packageRoot, '..', '..'));
const target = resolve(process.argv[3] ?? join(packageRoot, 'docs-corpus'));

if (!existsSync(join(source, 'README.md')) || !existsSync(join(source, 'docs'))) {
  console.error(`copy-docs-corpus: ${source} has no README.md and docs/`);
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
cpSync(join(source, 'README.md'), join(target, 'README.md'));
cpSync(join(source, 'docs'), join(target, 'docs'), {
  recursive: true,
  filter: (path) => statSync(path).isDirectory() || extname(path).toLowerCase() === '.md',
});
console.log(`copy-docs-corpus: ${source} -> ${target}`);
