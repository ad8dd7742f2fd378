import type { SageFlowNative } from '@sage/sage-flow-native';

/**
 * The native window engine is optional (an optional dependency; its addon needs a C++ toolchain to build):
 * the face package is imported once here, its addon loaded on first use, and without either every window
 * runs in TypeScript.
 */
const face = await import('@sage/sage-flow-native').catch(() => undefined);

let loaded: { native: SageFlowNative } | { reason: string } | undefined;

/** The loaded addon, or why there is none (package not installed, addon not built or not loadable). */
export function loadSageFlow(): { native: SageFlowNative } | { reason: string } {
  if (loaded !== undefined) return loaded;
  if (face === undefined) {
    loaded = { reason: 'the optional package @sage/sage-flow-native is not installed' };
    return loaded;
  }
  try {
    loaded = { native: face.loadSageFlowNative() };
  } catch (error) {
    loaded = { reason: error instanceof Error ? error.message : String(error) };
  }
  return loaded;
}
