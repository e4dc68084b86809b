import { z } from 'zod';

const name = z.string().trim().min(1).max(200);
const description = z.string().max(10_000).nullable();

/** Request bodies are strict: an unknown field is a 400 VALIDATION_ERROR naming it. */
export const createSampleItemBody = z
  .object({
    name,
    description: description.optional(),
  })
  .strict();
export type CreateSampleItemBody = z.output<typeof createSampleItemBody>;

export const updateSampleItemBody = z
  .object({
    name: name.optional(),
    description: description.optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'Provide at least one field to change' });
export type UpdateSampleItemBody = z.output<typeof updateSampleItemBody>;

export const sampleItemResponse = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    created_by: z.uuid(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .strict();
export type SampleItemResponse = z.output<typeof sampleItemResponse>;
