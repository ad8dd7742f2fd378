/**
 * The native addons `sage doctor` reports on, and how each is probed. This is the one place to change when an
 * addon ships: replace its `probe` with one that loads the real binding (for example
 * `() => loadNativeBinding('@sage/sage-db')`) and reports its version or load error.
 */

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

const NOT_BUILT_YET = 'not built (arrives with the sage_db / sage_flow extensions)';

async function notBuiltYet(): Promise<NativeAddonProbeResult> {
  return { state: 'missing', reason: NOT_BUILT_YET };
}

export const NATIVE_ADDONS: readonly NativeAddon[] = [
  { name: 'sage_db', probe: notBuiltYet },
  { name: 'sage_flow', probe: notBuiltYet },
];
