/**
 * pnpm is on the PATH, and inside a project that pins it (`packageManager: "pnpm@x.y.z"` in package.json) it is
 * that version. Only a warning either way: pnpm is needed to develop the workspace, not to run pipelines.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DoctorCheck } from './doctor-check.js';

const PNPM_TIMEOUT_MS = 5000;

export interface PackageManagerPin {
  /** The package.json holding the pin. */
  manifest: string;
  version: string;
}

export interface PnpmCheckOptions {
  /** The installed pnpm version, or undefined when pnpm is not found; runs `pnpm --version` by default. */
  readPnpmVersion?: (cwd: string) => Promise<string | undefined>;
}

export function createPnpmCheck(options: PnpmCheckOptions = {}): DoctorCheck {
  const readVersion = options.readPnpmVersion ?? readInstalledPnpmVersion;
  return {
    name: 'pnpm',
    async run({ cwd }) {
      const pin = findPnpmPin(cwd);
      const installed = await readVersion(cwd);
      if (installed === undefined) {
        return {
          status: 'warn',
          detail: pin ? `not found (this workspace pins pnpm ${pin.version})` : 'not found',
          fix: `npm install -g pnpm${pin ? `@${pin.version}` : ''}`,
        };
      }
      if (pin === undefined) return { status: 'ok', detail: `${installed} (no packageManager pin here)` };
      if (installed !== pin.version) {
        return {
          status: 'warn',
          detail: `${installed}, but ${pin.manifest} pins pnpm ${pin.version}`,
          fix: `npm install -g pnpm@${pin.version}`,
        };
      }
      return { status: 'ok', detail: `${installed} (matches the packageManager pin)` };
    },
  };
}

/** The nearest package.json, from `cwd` up, with a `packageManager: "pnpm@…"` field (corepack hash dropped). */
export function findPnpmPin(cwd: string): PackageManagerPin | undefined {
  for (let directory = cwd; ; directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest)) {
      const packageManager = readPackageManager(manifest);
      if (packageManager !== undefined) {
        const match = /^pnpm@([^+]+)/.exec(packageManager);
        // Another package manager pinned: no pnpm version to compare against.
        return match ? { manifest, version: match[1] } : undefined;
      }
    }
    if (dirname(directory) === directory) return undefined;
  }
}

function readPackageManager(manifest: string): string | undefined {
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { packageManager?: unknown };
    return typeof parsed.packageManager === 'string' ? parsed.packageManager : undefined;
  } catch {
    return undefined;
  }
}

function readInstalledPnpmVersion(cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      'pnpm',
      ['--version'],
      // Windows installs pnpm as a .cmd shim, which only a shell runs. Corepack must not prompt to download.
      {
        cwd,
        timeout: PNPM_TIMEOUT_MS,
        shell: process.platform === 'win32',
        env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
      },
      (error, stdout) => {
        const version = String(stdout).trim();
        resolve(error || !/^\d+\.\d+/.test(version) ? undefined : version);
      },
    );
  });
}
