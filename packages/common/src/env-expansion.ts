/**
 * `${VAR}` expansion for config text. Supported forms:
 *   `${VAR}`          the value of VAR; an error if VAR is unset (set-but-empty expands to '')
 *   `${VAR:-default}` the value of VAR, or `default` when VAR is unset or empty (as in sh)
 *   `$${...}`         a literal `${...}`
 * A bare `$VAR` is left alone. Expansion is a single pass: expanded values are never expanded again.
 */
import { ConfigError } from './errors.js';

/** Variables to expand from (`process.env` by default). */
export type EnvVariables = Readonly<Record<string, string | undefined>>;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Expand `${VAR}` references in `text`. Every unset variable without a default, and every malformed reference,
 * is reported in one `ConfigError`, one line each, naming the variable and `source:line:column`.
 */
export function expandEnv(text: string, env: EnvVariables = process.env, source?: string): string {
  return expandEnvWithOffsets(text, env, { source }).text;
}

/** The result of an expansion, with a way back from output offsets to input offsets. */
export interface Expansion {
  text: string;
  /** Maps an offset in `text` to the offset in the input it came from (the start of `${...}` for expanded values). */
  toSourceOffset(outputOffset: number): number;
}

export interface ExpansionOptions {
  /** Name used in error messages (usually the file path). */
  source?: string | undefined;
  /** Input ranges `[start, end)` left untouched (YAML comments). */
  skip?: ReadonlyArray<readonly [number, number]>;
}

interface Replacement {
  sourceStart: number;
  sourceEnd: number;
  outputStart: number;
  outputEnd: number;
}

/** Internal: `expandEnv` plus the offset mapping that config loading needs to report input line numbers. */
export function expandEnvWithOffsets(text: string, env: EnvVariables, options: ExpansionOptions = {}): Expansion {
  const skip = options.skip ?? [];
  const replacements: Replacement[] = [];
  const problems: string[] = [];
  const missing: string[] = [];
  let output = '';
  let copiedUpTo = 0;

  const replace = (start: number, end: number, value: string): void => {
    output += text.slice(copiedUpTo, start);
    replacements.push({
      sourceStart: start,
      sourceEnd: end,
      outputStart: output.length,
      outputEnd: output.length + value.length,
    });
    output += value;
    copiedUpTo = end;
  };
  const where = (offset: number): string => describePosition(text, offset, options.source);

  let next = 0;
  for (let start = text.indexOf('$'); start !== -1; start = text.indexOf('$', next)) {
    next = start + 1;
    const skipped = skip.some(([from, to]) => start >= from && start < to);
    if (text.startsWith('$${', start)) {
      next = start + 3;
      if (!skipped) replace(start, next, '${');
      continue;
    }
    if (skipped || !text.startsWith('${', start)) continue;

    const close = text.indexOf('}', start + 2);
    const lineEnd = text.indexOf('\n', start);
    if (close === -1 || (lineEnd !== -1 && lineEnd < close)) {
      problems.push(`${where(start)}: unterminated "\${" (a reference must close with "}" on the same line)`);
      next = start + 2;
      continue;
    }
    next = close + 1;
    const body = text.slice(start + 2, close);
    const separator = body.indexOf(':-');
    const name = separator === -1 ? body : body.slice(0, separator);
    if (!VARIABLE_NAME.test(name)) {
      problems.push(`${where(start)}: invalid reference "\${${body}}" (expected \${NAME} or \${NAME:-default})`);
      continue;
    }
    const value = env[name];
    if (separator !== -1) {
      replace(start, next, value === undefined || value === '' ? body.slice(separator + 2) : value);
    } else if (value !== undefined) {
      replace(start, next, value);
    } else {
      missing.push(name);
      problems.push(
        `${where(start)}: environment variable ${name} is not set (set it, put it in .env, or write \${${name}:-default})`,
      );
    }
  }
  output += text.slice(copiedUpTo);

  if (problems.length > 0) {
    throw new ConfigError(problems.join('\n'), { details: { source: options.source, missing } });
  }
  return { text: output, toSourceOffset: (outputOffset) => toSourceOffset(replacements, outputOffset) };
}

function toSourceOffset(replacements: readonly Replacement[], outputOffset: number): number {
  let shift = 0;
  for (const replacement of replacements) {
    if (outputOffset < replacement.outputStart) break;
    if (outputOffset < replacement.outputEnd) return replacement.sourceStart;
    shift = replacement.sourceEnd - replacement.outputEnd;
  }
  return outputOffset + shift;
}

/** 1-based line and column of an offset. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** `file:line:column`, or `line L, column C` when there is no source name. */
export function describePosition(text: string, offset: number, source: string | undefined): string {
  const { line, column } = positionAt(text, offset);
  return source === undefined ? `line ${line}, column ${column}` : `${source}:${line}:${column}`;
}
