import { configForName } from '@sage/libs/rag';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { chat } from '../chat/chat.js';
import type { CliIo } from '../cli-io.js';

export function registerChat(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('chat')
    .description("questions and answers over SAGE-TS's own docs (README and docs/; the index is built on first use)")
    .option('--ask <question>', 'answer one question and exit (default: read questions from stdin until EOF or "exit")')
    .option('--db <path>', 'database directory of the docs index', '.sage/chat')
    .option('--embedder <name>', 'use-lite | hashing[-<dimension>] | openai:<model>', parseEmbedder, 'use-lite')
    .option('--rebuild', 'build the index again even when the docs did not change')
    .addOption(new Option('--docs <dir>', 'answer from the Markdown files of this directory instead').hideHelp())
    .action(async (options) => {
      setExitCode(await chat(options, io));
    });
}

function parseEmbedder(value: string): string {
  try {
    configForName(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value;
}
