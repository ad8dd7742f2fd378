/**
 * The one place that loads the compiled addon. A missing or unloadable binary becomes a `SAGE_NATIVE`
 * error that says how to build it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { SageFlowError } from './errors.js';
import type { RawSageFlowNative } from './native-types.js';

export const BUILD_COMMAND = 'pnpm --filter @sage/sage-flow-native build';

/** Where the addon is looked for: `SAGE_FLOW_NATIVE_PATH`, else `build/Release/sage_flow_native.node` of this package. */
export function sageFlowNativePath(): string {
  const override = process.env.SAGE_FLOW_NATIVE_PATH;
  if (override) return override;
  return fileURLToPath(new URL('../build/Release/sage_flow_native.node', import.meta.url));
}

let cached: { path: string; module: RawSageFlowNative } | undefined;

/** Loads (once) and returns the raw addon. Throws a `SageFlowError` with code `SAGE_NATIVE`. */
export function loadRawSageFlowNative(): RawSageFlowNative {
  const path = sageFlowNativePath();
  if (cached?.path === path) return cached.module;
  const how = `Build it with \`${BUILD_COMMAND}\` (needs cmake and g++).`;
  if (!existsSync(path)) {
    throw new SageFlowError('SAGE_NATIVE', `the sage_flow native addon is not built: ${path} does not exist. ${how}`, { path });
  }
  let module: RawSageFlowNative;
  try {
    module = createRequire(import.meta.url)(path) as RawSageFlowNative;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SageFlowError('SAGE_NATIVE', `the sage_flow native addon at ${path} failed to load (${reason}). ${how}`, { cause: error, path });
  }
  if (typeof module?.NativeWindowEngine !== 'function' || typeof module.NativeSimilarityJoin !== 'function') {
    throw new SageFlowError('SAGE_NATIVE', `${path} is not the sage_flow addon (no NativeWindowEngine export). ${how}`, { path });
  }
  cached = { path, module };
  return module;
}

/** For `sage doctor`: whether the addon is built and loads, without throwing. */
export function isSageFlowNativeBuilt(): { built: boolean; path?: string; reason?: string } {
  try {
    loadRawSageFlowNative();
    return { built: true, path: sageFlowNativePath() };
  } catch (error) {
    return { built: false, path: sageFlowNativePath(), reason: error instanceof Error ? error.message : String(error) };
  }
}
