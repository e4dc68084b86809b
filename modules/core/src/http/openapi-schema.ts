import { z } from 'zod';
import type { SchemaObject } from '@nestjs/swagger';

/**
 * A zod schema as an OpenAPI 3.0 schema object. Request schemas use `io: 'input'` (defaults optional, coerced
 * inputs as sent); response schemas `io: 'output'`. Dates serialise as ISO strings in JSON.
 */
export function toOpenApiSchema(schema: z.ZodType, io: 'input' | 'output'): SchemaObject {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === 'date') {
        const target = ctx.jsonSchema as Record<string, unknown>;
        target.type = 'string';
        target.format = 'date-time';
      }
    },
  }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
