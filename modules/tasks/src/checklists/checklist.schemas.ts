import { z } from 'zod';

export const MAX_CHECKLIST_ITEMS = 200;

const itemTitle = z.string().trim().min(1).max(500);

export const createChecklistBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    items: z
      .array(z.object({ title: itemTitle }).strict())
      .max(MAX_CHECKLIST_ITEMS)
      .optional(),
  })
  .strict();
export type CreateChecklistBody = z.output<typeof createChecklistBody>;

export const createChecklistItemBody = z.object({ title: itemTitle }).strict();
export type CreateChecklistItemBody = z.output<typeof createChecklistItemBody>;

export const toggleChecklistItemBody = z.object({ done: z.boolean() }).strict();
export type ToggleChecklistItemBody = z.output<typeof toggleChecklistItemBody>;
