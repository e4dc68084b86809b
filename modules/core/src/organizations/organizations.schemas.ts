import { z } from 'zod';
import { ORG_ROLES } from './org-roles.js';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$/;

export const createOrganizationSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    slug: z.string().regex(SLUG_PATTERN, 'Lower-case letters, digits and dashes').optional(),
  })
  .strict();
export type CreateOrganizationRequest = z.infer<typeof createOrganizationSchema>;

export const organizationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    slug: z.string(),
    personal: z.boolean(),
    role: z.enum(ORG_ROLES).describe("The caller's role in this org"),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .strict();
export type OrganizationDto = z.infer<typeof organizationSchema>;

export const addMemberSchema = z
  .object({
    email: z.email().max(320),
    role: z.enum(['admin', 'member']),
  })
  .strict();
export type AddMemberRequest = z.infer<typeof addMemberSchema>;

export const memberSchema = z
  .object({
    user_id: z.uuid(),
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    role: z.enum(ORG_ROLES),
    joined_at: z.iso.datetime(),
  })
  .strict();
export type MemberDto = z.infer<typeof memberSchema>;
