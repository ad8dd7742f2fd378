/** Node.js >= 20.12 is required (the engines range of the SAGE packages). */
import type { DoctorCheck } from './doctor-check.js';

export const MINIMUM_NODE_VERSION = '20.12.0';

/** `version` is injectable for tests; the running Node by default. */
export function createNodeVersionCheck(version: string = process.versions.node): DoctorCheck {
  return {
    name: 'node',
    async run() {
      const shown = `v${version.replace(/^v/, '')}`;
      if (compareVersions(version, MINIMUM_NODE_VERSION) < 0) {
        return {
          status: 'fail',
          detail: `${shown} is too old (>= 20.12 required)`,
          fix: 'nvm install 22 && nvm use 22 (or install Node.js >= 20.12 from https://nodejs.org)',
        };
      }
      if (parseVersion(version)[0] === 21) {
        // The workspace engines range is ">=20.12 <21 || >=22": odd releases are not supported.
        return { status: 'warn', detail: `${shown}: Node 21 is not supported (use 20.12+ or 22+)`, fix: 'nvm install 22' };
      }
      return { status: 'ok', detail: `${shown} (>= 20.12 required)` };
    },
  };
}

/** Numeric comparison of `major.minor.patch` (a leading `v` and any pre-release suffix are ignored). */
export function compareVersions(left: string, right: string): number {
  const [a, b] = [parseVersion(left), parseVersion(right)];
  for (let index = 0; index < 3; index++) {
    if (a[index] !== b[index]) return a[index] - b[index];
  }
  return 0;
}

function parseVersion(version: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version
    .replace(/^v/, '')
    .split(/[-+]/)[0]
    .split('.')
    .map((part) => Number.parseInt(part, 10) || 0);
  return [major, minor, patch];
}
