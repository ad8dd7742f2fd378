import type { CliIo } from '../cli-io.js';
import { EXIT_OK } from '../exit-codes.js';
import { EXTENSIONS, extensionState, fixFor, PLANNED_EXTENSIONS } from './extensions.js';

/** Prints one line per extension: built and loadable, or why not and the command that fixes it. */
export async function printExtensionsStatus(io: CliIo): Promise<number> {
  for (const extension of EXTENSIONS) {
    const state = await extensionState(extension);
    if (state.state === 'built') {
      io.stdout.write(`ok    ${extension.name}  built and loadable (${state.path})\n`);
    } else {
      const fix = fixFor(extension, state);
      io.stdout.write(`warn  ${extension.name}  ${state.reason}${fix ? `  fix: ${fix}` : ''}\n`);
    }
  }
  for (const [name, reason] of Object.entries(PLANNED_EXTENSIONS)) io.stdout.write(`info  ${name}  ${reason}\n`);
  return EXIT_OK;
}
