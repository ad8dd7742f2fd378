/**
 * A small YAML writer for printing configs (plain objects, arrays, strings, numbers, booleans, null). Strings are
 * written plain only when that cannot be read back as anything else; otherwise double-quoted (JSON escaping is
 * valid YAML). Kept here rather than adding a YAML dependency to the CLI.
 */

const INDENT = '  ';
/** Plain scalars we write unquoted: start with a letter, `_` or `/`, no spaces, no trailing `:`. */
const PLAIN_STRING = /^[A-Za-z_/][A-Za-z0-9_./:@+-]*$/;
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Words YAML 1.1 or 1.2 readers may take for booleans or null. */
const RESERVED_WORDS = /^(?:true|false|null|yes|no|on|off|y|n)$/i;

/** The YAML text of `value`, ending with a newline. */
export function toYaml(value: unknown): string {
  return `${renderLines(value).join('\n')}\n`;
}

function renderLines(value: unknown): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return ['[]'];
    return value.flatMap((item) => prefixBlock('- ', renderLines(item)));
  }
  if (isRecord(value)) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return ['{}'];
    return entries.flatMap(([key, item]) => {
      const lines = renderLines(item);
      const head = `${renderKey(key)}:`;
      if (isInline(item)) return [`${head} ${lines[0]}`];
      return [head, ...lines.map((line) => INDENT + line)];
    });
  }
  return [renderScalar(value)];
}

/** `- ` before the first line of a block, matching indentation before the rest. */
function prefixBlock(prefix: string, lines: string[]): string[] {
  return lines.map((line, index) => (index === 0 ? prefix : ' '.repeat(prefix.length)) + line);
}

/** Scalars and empty collections stay on the line of their key. */
function isInline(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (isRecord(value)) return Object.values(value).every((item) => item === undefined);
  return true;
}

function renderKey(key: string): string {
  return PLAIN_KEY.test(key) && !RESERVED_WORDS.test(key) ? key : quote(key);
}

function renderScalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return renderString(value);
  if (value instanceof Date) return quote(value.toISOString());
  return quote(String(value));
}

function renderString(text: string): string {
  return PLAIN_STRING.test(text) && !text.endsWith(':') && !RESERVED_WORDS.test(text) ? text : quote(text);
}

/** A double-quoted scalar; C1 control characters and DEL, which JSON leaves raw, are escaped too. */
function quote(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
