import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { CliIo } from '../cli-io.js';
import { indexBuild } from '../index-build/index-build.js';

export function registerIndex(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  const index = program.command('index').description('build the document collections the RAG retrievers search');
  index
    .command('build')
    .description('chunk, embed and store every document (txt, md, html, json) of a directory in a collection')
    .argument('<dir>', 'directory of documents (read recursively)')
    .requiredOption('--collection <name>', 'collection to write (created when missing)')
    .option('--db <path>', 'database directory (default: SAGE_DB_PATH or ./data/kb)')
    .option('--embedder <name>', 'use-lite | hashing[-<dimension>] | openai:<model>', 'use-lite')
    .option('--splitter <kind>', 'recursive | character | sentence', parseSplitter, 'recursive')
    .option('--chunk-size <chars>', 'characters per chunk', parsePositive, 800)
    .option('--chunk-overlap <chars>', 'characters shared by neighbouring chunks', parseNonNegative, 100)
    .option('--extensions <list>', 'file extensions to read, comma separated', (value: string) => value.split(',').map((item) => item.trim()))
    .action(async (directory: string, options) => {
      setExitCode(await indexBuild(directory, options, io));
    });
}

function parseSplitter(value: string): string {
  if (!['recursive', 'character', 'sentence'].includes(value)) throw new InvalidArgumentError('expected recursive, character or sentence');
  return value;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function parseNonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer >= 0');
  return n;
}
