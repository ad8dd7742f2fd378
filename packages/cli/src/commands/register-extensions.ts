import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK } from '../exit-codes.js';
import { EXTENSIONS, PLANNED_EXTENSIONS } from '../extensions/extensions.js';
import { printExtensionsStatus } from '../extensions/extensions-status.js';
import { installExtension } from '../extensions/install-extension.js';

export function registerExtensions(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  const extensions = program.command('extensions').description('build and inspect the native extensions (sage_db, sage_flow)');
  extensions
    .command('install')
    .description('build an extension (or all) with cmake-js; fast when already built')
    .argument('[name]', `${[...EXTENSIONS.map((extension) => extension.name), 'all'].join(' | ')}`, parseName, 'all')
    .option('--force', 'rebuild from scratch')
    .action(async (name: string, options: { force?: boolean }) => {
      const chosen = name === 'all' ? EXTENSIONS : EXTENSIONS.filter((extension) => extension.name === name);
      let code = EXIT_OK;
      for (const extension of chosen) code = Math.max(code, await installExtension(extension, io, options.force ?? false));
      if (name in PLANNED_EXTENSIONS) io.stdout.write(`info  ${name}  ${PLANNED_EXTENSIONS[name]}\n`);
      setExitCode(code);
    });
  extensions
    .command('status')
    .description('report which extensions are built and loadable, and how to fix the others')
    .action(async () => setExitCode(await printExtensionsStatus(io)));
}

function parseName(value: string): string {
  const known = [...EXTENSIONS.map((extension) => extension.name), ...Object.keys(PLANNED_EXTENSIONS), 'all'];
  if (!known.includes(value)) throw new InvalidArgumentError(`unknown extension "${value}" (known: ${known.join(', ')})`);
  return value;
}
