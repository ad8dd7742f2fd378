import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { doctor } from '../doctor/doctor.js';

export function registerDoctor(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('doctor')
    .description('check this machine and project: Node, pnpm, config, native addons, Redis, embedding model')
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      setExitCode(await doctor(io, { json: options.json }));
    });
}
