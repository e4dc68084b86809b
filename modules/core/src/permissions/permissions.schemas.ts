import { z } from 'zod';

const name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'Must be a lower-case identifier').max(100);

export const subjectSchema = z
  .object({
    type: name.describe('Subject namespace, e.g. user or team'),
    id: z.string().min(1).max(200),
    relation: name.optional().describe('For usersets such as team#member'),
  })
  .strict();

export const grantRequestSchema = z
  .object({
    namespace: name,
    object_id: z.string().min(1).max(200),
    relation: name,
    subject: subjectSchema,
  })
  .strict();
export type GrantRequest = z.infer<typeof grantRequestSchema>;

export const tupleSchema = z
  .object({
    namespace: z.string(),
    object_id: z.string(),
    relation: z.string(),
    subject: z.object({ type: z.string(), id: z.string(), relation: z.string().nullable() }).strict(),
  })
  .strict();

export const myAccessQuerySchema = z.object({ namespace: name }).strict();

export const accessEntrySchema = z
  .object({
    object_id: z.string(),
    relations: z.array(z.string()),
    permissions: z.array(z.string()),
  })
  .strict();
export const myAccessResponseSchema = z.array(accessEntrySchema);
