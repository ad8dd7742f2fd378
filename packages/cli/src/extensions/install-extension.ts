import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { CliIo } from '../cli-io.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { type Extension, extensionDirectory, extensionState } from './extensions.js';

/**
 * Builds an extension's addon with cmake-js against the local Node headers (no download), then checks
 * that it loads. `force` rebuilds from scratch; otherwise the build is incremental and fast when nothing
 * changed. The compiler's output goes to stderr.
 */
export async function installExtension(extension: Extension, io: CliIo, force: boolean): Promise<number> {
  const directory = extensionDirectory(extension);
  if (directory === undefined) {
    io.stderr.write(`sage extensions: package ${extension.packageName} is not installed (npm install ${extension.packageName})\n`);
    return EXIT_FAILURE;
  }
  let cmakeJs: string;
  try {
    cmakeJs = createRequire(`${directory}/package.json`).resolve('cmake-js/bin/cmake-js');
  } catch {
    io.stderr.write(`sage extensions: cmake-js is not installed next to ${extension.packageName}; install it: npm install cmake-js\n`);
    return EXIT_FAILURE;
  }
  io.stderr.write(`building ${extension.name} in ${directory}${force ? ' (from scratch)' : ''}\n`);
  const code = await run(process.execPath, [cmakeJs, force ? 'rebuild' : 'build', '--out', 'build', '--config', 'Release', '--parallel', '2'], {
    cwd: directory,
    env: { ...io.env, npm_config_nodedir: io.env.npm_config_nodedir ?? '/usr' } as NodeJS.ProcessEnv,
    io,
  });
  if (code !== 0) {
    io.stderr.write(`sage extensions: building ${extension.name} failed (exit ${code}). It needs ${extension.needs}\n`);
    return EXIT_FAILURE;
  }
  const state = await extensionState(extension);
  if (state.state !== 'built') {
    io.stderr.write(`sage extensions: ${extension.name} was built but does not load: ${'reason' in state ? state.reason : ''}\n`);
    return EXIT_FAILURE;
  }
  io.stdout.write(`ok    ${extension.name}  built and loadable (${state.path})\n`);
  return EXIT_OK;
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; io: CliIo }): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => options.io.stderr.write(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => options.io.stderr.write(chunk.toString()));
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}
