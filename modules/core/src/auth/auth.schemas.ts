import { z } from 'zod';
import { organizationSchema } from '../organizations/organizations.schemas.js';
import { userSchema } from '../users/users.schemas.js';

// Passwords are checked against the product's policy in the service (every broken rule is reported); the schema
// only bounds the input.
const password = z.string().min(1).max(1024);

export const registerSchema = z
  .object({
    email: z.email().max(320),
    password,
    first_name: z.string().trim().max(100).optional(),
    last_name: z.string().trim().max(100).optional(),
    org_name: z.string().trim().min(1).max(200).optional().describe('Name of the personal organization'),
  })
  .strict();
export type RegisterRequest = z.infer<typeof registerSchema>;

export const loginSchema = z.object({ email: z.string().min(1).max(320), password }).strict();
export type LoginRequest = z.infer<typeof loginSchema>;

export const refreshTokenSchema = z.object({ refresh_token: z.string().min(1).max(200) }).strict();
export type RefreshTokenRequest = z.infer<typeof refreshTokenSchema>;

export const forgotPasswordSchema = z.object({ email: z.email().max(320) }).strict();
export type ForgotPasswordRequest = z.infer<typeof forgotPasswordSchema>;

export const resetPasswordSchema = z.object({ token: z.string().min(1).max(200), new_password: password }).strict();
export type ResetPasswordRequest = z.infer<typeof resetPasswordSchema>;

export const switchOrgSchema = z.object({ org_id: z.uuid() }).strict();
export type SwitchOrgRequest = z.infer<typeof switchOrgSchema>;

export const tokensSchema = z
  .object({
    access_token: z.string().describe('JWT (HS256) for the Authorization: Bearer header'),
    refresh_token: z.string().describe('Opaque; single use — each refresh returns a new one'),
    expires_in: z.number().int().describe('Seconds until the access token expires'),
  })
  .strict();
export type TokensDto = z.infer<typeof tokensSchema>;

/** What register, login, refresh and switch-org return: who, in which org, and the tokens of that session. */
export const sessionSchema = z.object({ user: userSchema, org: organizationSchema, tokens: tokensSchema }).strict();
export type SessionDto = z.infer<typeof sessionSchema>;

export const messageSchema = z.object({ message: z.string() }).strict();
export type MessageDto = z.infer<typeof messageSchema>;
