import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BaseFunction } from '@sage/kernel';

/** A function class of the io library: a source's or sink's `execute` takes at most one record. */
export type FunctionClass = new (...args: any[]) => BaseFunction & { execute(...args: any[]): unknown };

export interface Probe<F extends FunctionClass> {
  /** The operator's class, counting its calls. */
  fn: F;
  /** `close()` calls so far. */
  closes(): number;
  /** `execute()` calls that returned (or whose promise resolved) without an error. */
  executed(): number;
}

/** The operator's class as a thin subclass counting its `close()` calls and its successful `execute()` calls. */
export function probed<F extends FunctionClass>(fn: F): Probe<F> {
  let closes = 0;
  let executed = 0;
  const Probe = class extends fn {
    override execute(...args: any[]): unknown {
      const result = super.execute(...args);
      if (result instanceof Promise) {
        return result.then((value: unknown) => {
          executed++;
          return value;
        });
      }
      executed++;
      return result;
    }

    override close() {
      closes++;
      return super.close?.();
    }
  };
  return { fn: Probe as F, closes: () => closes, executed: () => executed };
}

export const DEADLINE_MS = 10_000;

/** `promise`, or a rejection naming `what` when it has not settled within `DEADLINE_MS` (a hang fails fast). */
export async function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const DESCRIPTORS = '/proc/self/fd';

/**
 * The file descriptors this process holds open on `path`, read from `/proc/self/fd`: a closed operator
 * must hold none. Linux only (where the tests run in CI); elsewhere `undefined`, and the check is skipped.
 */
export function openDescriptors(path: string): number | undefined {
  if (!existsSync(DESCRIPTORS)) return undefined;
  const target = resolve(path);
  let count = 0;
  for (const descriptor of readdirSync(DESCRIPTORS)) {
    try {
      if (readlinkSync(join(DESCRIPTORS, descriptor)) === target) count++;
    } catch {
      // The descriptor of the readdir itself, closed by now.
    }
  }
  return count;
}

/** The error and its causes, outermost first: the kernel wraps an `execute` error in an `OperatorError`. */
export function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && chain.length < 10; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
    if (!(current instanceof Error)) break;
  }
  return chain;
}
