import { z } from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const scalarType = z.enum(['string', 'number', 'integer', 'boolean', 'null']);
const count = z.number().int().nonnegative();

/**
 * The JSON schemas node-llama-cpp turns into a grammar (its `GbnfJsonSchema`): `type` (one, or a list of
 * scalar types), `const`, `enum`, `oneOf`, `$ref` to `#/$defs/…`, and for objects `properties`, `required`,
 * `additionalProperties`, for arrays `items`, `prefixItems`, `minItems`, `maxItems`, for strings
 * `minLength`, `maxLength`, `format`. node-llama-cpp quietly turns what it does not know (`type: 'banana'`,
 * an empty schema) into `null`, so a schema must say what it is; other keywords (`title`, `$schema`) are
 * allowed and ignored.
 */
export const llamaJsonSchema: z.ZodType<Record<string, unknown>> = z.lazy(() =>
  z
    .looseObject({
      type: z.union([z.enum(['string', 'number', 'integer', 'boolean', 'null', 'object', 'array']), z.array(scalarType).min(1)]).optional(),
      const: scalar.optional(),
      enum: z.array(scalar).min(1).optional(),
      oneOf: z.array(llamaJsonSchema).min(1).optional(),
      $ref: z.string().startsWith('#/$defs/').optional(),
      $defs: z.record(z.string(), llamaJsonSchema).optional(),
      properties: z.record(z.string(), llamaJsonSchema).optional(),
      required: z.array(z.string()).optional(),
      additionalProperties: z.union([z.boolean(), llamaJsonSchema]).optional(),
      minProperties: count.optional(),
      maxProperties: count.optional(),
      items: llamaJsonSchema.optional(),
      prefixItems: z.array(llamaJsonSchema).optional(),
      minItems: count.optional(),
      maxItems: count.optional(),
      minLength: count.optional(),
      maxLength: count.optional(),
      format: z.enum(['date-time', 'time', 'date']).optional(),
      description: z.string().optional(),
    })
    .refine((schema) => ['type', 'const', 'enum', 'oneOf', '$ref'].some((keyword) => keyword in schema), {
      error: 'expected a JSON schema with "type", "const", "enum", "oneOf" or "$ref"',
    }),
);
