/**
 * Config loading: a YAML file with `${VAR}` expansion, optional overrides, validated by a zod schema.
 * Every failure is a `ConfigError` whose message says where (file:line:column), which key, what was expected and
 * what was found — one line per problem.
 */
import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { CST, type Document, isAlias, isMap, isScalar, isSeq, Lexer, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type ConfigIssue, describeIssues } from './config-issues.js';
import {
  describePosition,
  type EnvVariables,
  type Expansion,
  expandEnvWithOffsets,
  positionAt,
} from './env-expansion.js';
import { ConfigError } from './errors.js';

/** Every key optional, at any depth (arrays are replaced whole, so their items stay as they are). */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [Key in keyof T]?: DeepPartial<T[Key]> }
    : T;

export interface LoadConfigOptions<Input = unknown> {
  /** YAML file to read. Without one, the config is the overrides plus the schema's defaults. */
  file?: string;
  /** Variables for `${VAR}` expansion; `process.env` by default. */
  env?: EnvVariables;
  /**
   * A `.env` file to load before expanding: a path, or `true` for `.env` in the working directory. It fills
   * `process.env` (or a copy of `env` when one is given) and never overrides a variable that is already set.
   */
  dotenv?: string | boolean;
  /** Merged over the file: objects key by key, arrays and scalars replace, `undefined` values are ignored. */
  overrides?: DeepPartial<Input>;
}

/**
 * Load `.env` (dotenv syntax) into `target` without overriding variables that are already set. A missing file is
 * not an error. Returns the variables this call set.
 */
export function loadEnvFile(
  path = '.env',
  target: Record<string, string | undefined> = process.env,
): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (isMissingFile(error)) return {};
    throw new ConfigError(`cannot read env file ${path}: ${errorMessage(error)}`, {
      cause: error,
      details: { file: path },
    });
  }
  const applied: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseDotenv(text))) {
    if (target[name] !== undefined) continue;
    target[name] = value;
    applied[name] = value;
  }
  return applied;
}

/** Read, expand, parse, merge and validate a config file. */
export function loadConfig<Schema extends z.ZodType>(
  schema: Schema,
  options: LoadConfigOptions<z.input<Schema>> = {},
): z.output<Schema> {
  const env = resolveEnv(options);
  const overrides = options.overrides as Record<string, unknown> | undefined;
  if (options.file === undefined) {
    return validate(schema, mergeOverrides({}, overrides), 'overrides', () => ({}));
  }
  const file = options.file;
  const source = readConfigFile(file);
  const expansion = expandEnvWithOffsets(source, env, { source: file, skip: yamlCommentRanges(source) });
  const document = parseYaml(file, source, expansion);
  let parsed: unknown;
  try {
    parsed = document.toJS() ?? {};
  } catch (error) {
    throw new ConfigError(`${file}: ${errorMessage(error)}`, { cause: error, details: { file } });
  }
  return validate(schema, mergeOverrides(parsed, overrides), file, (issue) => {
    if (isOverridden(overrides, issue.segments)) return { note: 'overrides' };
    // An unknown key is pointed at by its key; anything else by its value.
    const offset = offsetOfPath(document, issue.segments, issue.code === 'unrecognized_keys');
    return positionAt(source, expansion.toSourceOffset(offset));
  });
}

/** Validate an already-parsed value; `source` names it in error messages (a file name, `--config`, …). */
export function parseConfig<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  source: string,
): z.output<Schema> {
  return validate(schema, value, source, () => ({}));
}

interface IssueLocation {
  line?: number;
  column?: number;
  /** Where the value came from when it is not a file position. */
  note?: string;
}

function validate<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  source: string,
  locate: (issue: ConfigIssue) => IssueLocation,
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = describeIssues(result.error.issues, value, schema);
  const notes = new Map<ConfigIssue, string>();
  for (const issue of issues) {
    const { line, column, note } = locate(issue);
    if (line !== undefined) {
      issue.line = line;
      issue.column = column;
    }
    if (note !== undefined) notes.set(issue, note);
  }
  // Top to bottom through the file; issues without a position keep their order, after the others.
  const line = (issue: ConfigIssue): number => issue.line ?? Number.POSITIVE_INFINITY;
  issues.sort((left, right) => line(left) - line(right) || (left.column ?? 0) - (right.column ?? 0));
  const lines = issues.map((issue) => {
    const note = notes.get(issue);
    const where =
      issue.line !== undefined
        ? `${source}:${issue.line}:${issue.column}`
        : note !== undefined
          ? `${source} (${note})`
          : source;
    return `${where}: ${issue.path}: ${issue.expected}, received ${issue.received}`;
  });
  throw new ConfigError(lines.join('\n'), { details: { source, issues } });
}

function resolveEnv(options: LoadConfigOptions<unknown>): EnvVariables {
  const dotenvPath = options.dotenv === true ? '.env' : options.dotenv || undefined;
  if (options.env === undefined) {
    if (dotenvPath !== undefined) loadEnvFile(dotenvPath);
    return process.env;
  }
  const env = { ...options.env };
  if (dotenvPath !== undefined) loadEnvFile(dotenvPath, env);
  return env;
}

function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (isMissingFile(error)) {
      throw new ConfigError(`config file not found: ${file}`, { cause: error, details: { file } });
    }
    throw new ConfigError(`cannot read config file ${file}: ${errorMessage(error)}`, {
      cause: error,
      details: { file },
    });
  }
}

function parseYaml(file: string, source: string, expansion: Expansion): Document {
  const document = parseDocument(expansion.text, { prettyErrors: false });
  if (document.errors.length === 0) return document;
  const lines = document.errors.map((error) => {
    const where = describePosition(source, expansion.toSourceOffset(error.pos[0]), file);
    return `${where}: YAML syntax error: ${error.message}`;
  });
  throw new ConfigError(lines.join('\n'), {
    cause: document.errors[0],
    details: { file, errors: document.errors.map((error) => error.code) },
  });
}

/** `[start, end)` of every YAML comment, so `${VAR}` in a commented-out line is not expanded. */
function yamlCommentRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let offset = 0;
  let atScalar = false;
  // Mirrors yaml's Parser offset bookkeeping: the scalar marker, doc-mode and flow-error-end lexemes are not text.
  for (const lexeme of new Lexer().lex(text)) {
    if (atScalar) {
      atScalar = false;
      offset += lexeme.length;
      continue;
    }
    const type = CST.tokenType(lexeme);
    if (type === 'scalar') atScalar = true;
    if (type === 'scalar' || type === 'doc-mode' || type === 'flow-error-end') continue;
    if (type === 'comment') ranges.push([offset, offset + lexeme.length]);
    offset += lexeme.length;
  }
  return ranges;
}

/**
 * Offset (in the expanded text) of the value at a key path — or of its key with `atKey` — falling back to the
 * deepest ancestor that exists.
 */
function offsetOfPath(document: Document, segments: ConfigIssue['segments'], atKey: boolean): number {
  let node: unknown = document.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [index, segment] of segments.entries()) {
    if (isAlias(node)) node = node.resolve(document);
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => String(isScalar(item.key) ? item.key.value : item.key) === String(segment),
      );
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      if (atKey && index === segments.length - 1) break;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      break;
    }
    offset = rangeStart(node) ?? offset;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range?.[0];
}

/** Whether `overrides` replaced the value at a key path (or one of its ancestors) instead of merging into it. */
function isOverridden(overrides: Record<string, unknown> | undefined, segments: ConfigIssue['segments']): boolean {
  let current: unknown = overrides;
  for (const segment of segments) {
    if (!isPlainObject(current) || current[segment] === undefined) return false;
    current = current[segment];
    if (!isPlainObject(current)) return true;
  }
  return false;
}

function mergeOverrides(base: unknown, overrides: unknown): unknown {
  if (overrides === undefined) return base;
  if (!isPlainObject(overrides)) return overrides;
  const merged: Record<string, unknown> = isPlainObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(overrides)) {
    // Skip `__proto__`: assigning it would replace the prototype instead of setting a key.
    if (value === undefined || key === '__proto__') continue;
    merged[key] = mergeOverrides(merged[key], value);
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isMissingFile(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
