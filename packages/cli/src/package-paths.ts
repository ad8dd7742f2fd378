/**
 * Files shipped with @sage/cli, found relative to this module. `src/` and `dist/` sit at the same depth, so the
 * paths are the same for the sources (tests) and the build.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The @sage/cli package directory (the one holding its package.json). */
export const CLI_PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `templates/` inside the package: `.env.template`, `sage.config.yaml`. */
export const CLI_TEMPLATES_DIRECTORY = fileURLToPath(new URL('../templates/', import.meta.url));

/** The version in @sage/cli's package.json, read at run time so it never drifts from the published package. */
export function readCliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('@sage/cli package.json has no version');
  return manifest.version;
}
