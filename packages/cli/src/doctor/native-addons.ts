/**
 * The native addons `sage doctor` reports on: the extensions of `sage extensions` (one registry), probed by
 * loading them, plus those announced for later releases.
 */
import { EXTENSIONS, extensionState, fixFor, PLANNED_EXTENSIONS } from '../extensions/extensions.js';

export type NativeAddonProbeResult =
  | { state: 'loaded'; version?: string; path?: string }
  /** Not built or not installed: a warning, since the pure TypeScript paths still work. */
  | { state: 'missing'; reason: string; fix?: string }
  /** Present but failed to load (ABI mismatch, missing shared library…). */
  | { state: 'broken'; reason: string; fix?: string };

export interface NativeAddon {
  /** The addon name as shown in the report, e.g. `sage_db`. */
  name: string;
  probe(): Promise<NativeAddonProbeResult>;
}

export const NATIVE_ADDONS: readonly NativeAddon[] = [
  ...EXTENSIONS.map((extension) => ({
    name: extension.name,
    async probe(): Promise<NativeAddonProbeResult> {
      const state = await extensionState(extension);
      if (state.state === 'built') return { state: 'loaded', path: state.path };
      return { state: 'missing', reason: state.reason, fix: fixFor(extension, state) };
    },
  })),
  ...Object.entries(PLANNED_EXTENSIONS).map(([name, reason]) => ({
    name,
    async probe(): Promise<NativeAddonProbeResult> {
      return { state: 'missing', reason };
    },
  })),
];
