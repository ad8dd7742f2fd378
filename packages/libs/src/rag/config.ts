import { ValidationError } from '@sage/common';
import type { z } from 'zod';

/**
 * Validates an operator's config with a zod schema (use `z.strictObject` so that a misspelt option is an
 * error). The ValidationError names the class and the option: `DenseRetriever: option "topK": expected
 * number, received string`. Called in constructors, so a wrong config fails when the job is built.
 */
export function parseConfig<S extends z.ZodType>(owner: string, schema: S, config: unknown): z.infer<S> {
  const result = schema.safeParse(config ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const option = issue.path.map(String).join('.');
  const where = option === '' ? 'config' : `option "${option}"`;
  throw new ValidationError(`${owner}: ${where}: ${issue.message}`, { details: { owner, option } });
}
