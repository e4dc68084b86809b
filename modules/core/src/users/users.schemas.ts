import { z } from 'zod';

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    timezone: z.string(),
    locale: z.string(),
    last_login_at: z.iso.datetime().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .strict();
export type UserDto = z.infer<typeof userSchema>;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function isLocale(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

export const updateMeSchema = z
  .object({
    first_name: z.string().trim().max(100).optional(),
    last_name: z.string().trim().max(100).optional(),
    timezone: z.string().max(64).refine(isTimeZone, 'Must be an IANA time zone such as Europe/Paris').optional(),
    locale: z.string().max(35).refine(isLocale, 'Must be a BCP 47 locale such as en-GB').optional(),
  })
  .strict();
export type UpdateMeRequest = z.infer<typeof updateMeSchema>;

interface UserRow {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  timezone: string;
  locale: string;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The public view of a user: never the password hash or the lockout counters. */
export function toUserDto(user: UserRow): UserDto {
  return {
    id: user.id,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    timezone: user.timezone,
    locale: user.locale,
    last_login_at: user.lastLoginAt?.toISOString() ?? null,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}
