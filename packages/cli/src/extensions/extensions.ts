import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * The native extensions `sage extensions` builds and `sage doctor` reports on. Each is an npm package with a
 * cmake-js build; adding one means adding an entry here.
 */
export interface Extension {
  /** Name on the command line and in reports, e.g. `sage_db`. */
  name: string;
  /** The npm package that carries the C++ sources and the loader. */
  packageName: string;
  /** What it is, in a few words. */
  summary: string;
  /** The package's export that reports whether the addon is built and loads. */
  statusExport: string;
  /** What building it needs, with the install command. */
  needs: string;
}

export const EXTENSIONS: readonly Extension[] = [
  {
    name: 'sage_db',
    packageName: '@sage/sage-db-native',
    summary: 'FAISS vector database (SageDB)',
    statusExport: 'isSageDbNativeBuilt',
    needs: 'cmake, g++ and the FAISS and OpenBLAS development packages: apt-get install cmake g++ libfaiss-dev libopenblas-openmp-dev',
  },
  {
    name: 'sage_flow',
    packageName: '@sage/sage-flow-native',
    summary: 'C++ window engine (sage_flow)',
    statusExport: 'isSageFlowNativeBuilt',
    needs: 'cmake and g++: apt-get install cmake g++',
  },
];

/** Extensions that are announced but not shipped yet. */
export const PLANNED_EXTENSIONS: Readonly<Record<string, string>> = {};

export type ExtensionState =
  | { state: 'built'; path: string }
  | { state: 'not-built'; reason: string }
  | { state: 'not-installed'; reason: string }
  | { state: 'planned'; reason: string };

type NativeStatus = () => { built: boolean; path?: string; reason?: string };

const require = createRequire(import.meta.url);

/** The package directory of an extension, or undefined when its package is not installed. */
export function extensionDirectory(extension: Extension): string | undefined {
  try {
    return dirname(require.resolve(`${extension.packageName}/package.json`));
  } catch {
    return undefined;
  }
}

/** Whether the extension's binary is built and loads in this process. */
export async function extensionState(extension: Extension): Promise<ExtensionState> {
  if (extensionDirectory(extension) === undefined) {
    return { state: 'not-installed', reason: `package ${extension.packageName} is not installed` };
  }
  const module = (await import(extension.packageName)) as Record<string, NativeStatus>;
  const status = module[extension.statusExport]();
  if (status.built) return { state: 'built', path: status.path ?? '' };
  return { state: 'not-built', reason: status.reason ?? 'not built' };
}

/** The command that fixes an extension in a given state. */
export function fixFor(extension: Extension, state: ExtensionState): string | undefined {
  if (state.state === 'not-installed') return `npm install ${extension.packageName}`;
  if (state.state === 'not-built') return `sage extensions install ${extension.name}`;
  return undefined;
}
