/**
 * The one place that loads the compiled addon. A missing or unloadable binary becomes a `SAGE_NATIVE`
 * error that says how to build it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { SageDbError } from './errors.js';
import type { RawSageDbNative } from './native-types.js';

export const BUILD_COMMAND = 'pnpm --filter @sage/sage-db-native build';
export const INSTALL_COMMAND = 'sage extensions install sage_db';

/** Where the addon is looked for: `SAGE_DB_NATIVE_PATH`, else `build/Release/sage_db_native.node` of this package. */
export function sageDbNativePath(): string {
  const override = process.env.SAGE_DB_NATIVE_PATH;
  if (override) return override;
  return fileURLToPath(new URL('../build/Release/sage_db_native.node', import.meta.url));
}

let cached: { path: string; module: RawSageDbNative } | undefined;

/** Loads (once) and returns the raw addon. Throws a `SageDbError` with code `SAGE_NATIVE`. */
export function loadRawSageDbNative(): RawSageDbNative {
  const path = sageDbNativePath();
  if (cached?.path === path) return cached.module;
  const commands = `\`${BUILD_COMMAND}\` (needs cmake, g++, libfaiss-dev and libopenblas-openmp-dev) or \`${INSTALL_COMMAND}\``;
  const how = `Build it with ${commands}.`;
  if (!existsSync(path)) {
    throw new SageDbError('SAGE_NATIVE', `the sage_db native addon is not built: ${path} does not exist. ${how}`, {
      path,
    });
  }
  let module: RawSageDbNative;
  try {
    module = createRequire(import.meta.url)(path) as RawSageDbNative;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SageDbError('SAGE_NATIVE', `the sage_db native addon at ${path} failed to load (${reason}). Rebuild it with ${commands}.`, {
      cause: error,
      path,
    });
  }
  if (typeof module?.NativeVectorIndex !== 'function' || typeof module.loadIndex !== 'function') {
    throw new SageDbError('SAGE_NATIVE', `${path} is not the sage_db addon (no NativeVectorIndex export). ${how}`, { path });
  }
  cached = { path, module };
  return module;
}

/** For `sage doctor` / `sage extensions status`: whether the addon is built and loads, without throwing. */
export function isSageDbNativeBuilt(): { built: boolean; path?: string; reason?: string } {
  try {
    loadRawSageDbNative();
    return { built: true, path: sageDbNativePath() };
  } catch (error) {
    return {
      built: false,
      path: sageDbNativePath(),
      reason: error instanceof Error ? error.message : String(error),
    };
  }
}
