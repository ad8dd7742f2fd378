import { ValidationError } from '@sage/common';
import { z } from 'zod';

type Part = { literal: string } | { placeholder: string };

/** `{{`, `}}`, a `{placeholder}`, or a lone brace (an error). */
const TOKEN = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;

/**
 * A prompt template with `{name}` placeholders, filled in one pass (a value containing `{query}` is not
 * expanded again). `{{` and `}}` stand for literal braces, as in Python's `str.format`; any other brace, and
 * any placeholder the promptor does not know, is an error, so a typo fails when the job is built instead of
 * reaching the model verbatim.
 */
export class PromptTemplate {
  readonly placeholders: ReadonlySet<string>;
  private readonly parts: readonly Part[];

  private constructor(parts: Part[]) {
    this.parts = parts;
    this.placeholders = new Set(parts.flatMap((part) => ('placeholder' in part ? [part.placeholder] : [])));
  }

  /** Parses `template`; throws a ValidationError (message without owner) on an unknown or missing placeholder. */
  static parse(template: string, known: readonly string[], required: readonly string[] = []): PromptTemplate {
    const parts: Part[] = [];
    const knownList = known.map((name) => `{${name}}`).join(', ');
    let last = 0;
    for (const match of template.matchAll(TOKEN)) {
      if (match.index > last) parts.push({ literal: template.slice(last, match.index) });
      last = match.index + match[0].length;
      const token = match[0];
      if (token === '{{' || token === '}}') {
        parts.push({ literal: token[0]! });
      } else if (match[1] !== undefined && known.includes(match[1])) {
        parts.push({ placeholder: match[1] });
      } else if (match[1] !== undefined) {
        throw new ValidationError(`unknown placeholder ${token} (known: ${knownList}; write {{ and }} for literal braces)`);
      } else {
        throw new ValidationError(`unmatched "${token}" at offset ${match.index} (write {{ and }} for literal braces)`);
      }
    }
    if (last < template.length) parts.push({ literal: template.slice(last) });
    const result = new PromptTemplate(parts);
    const missing = required.filter((name) => !result.placeholders.has(name));
    if (missing.length > 0) throw new ValidationError(`missing placeholder ${missing.map((name) => `{${name}}`).join(', ')}`);
    return result;
  }

  render(values: Readonly<Record<string, string>>): string {
    return this.parts.map((part) => ('literal' in part ? part.literal : values[part.placeholder]!)).join('');
  }
}

/**
 * A config option holding a template (default `fallback`), parsed into a PromptTemplate; errors become issues
 * on the option, so `parseConfig` names the class and the option.
 */
export function templateOption(fallback: string, known: readonly string[], required: readonly string[]) {
  return z
    .string()
    .optional()
    .transform((template, context) => {
      try {
        return PromptTemplate.parse(template ?? fallback, known, required);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });
}
