import type { FieldError } from '../errors/domain-errors.js';
import type { PasswordPolicy } from '../platform/platform-config.js';

/** Longer inputs are rejected before hashing: bcrypt only reads 72 bytes, and huge inputs cost CPU. */
export const MAX_PASSWORD_LENGTH = 128;

/** Every rule of the product's password policy the password breaks, as envelope details on `field`. */
export function passwordViolations(password: string, policy: PasswordPolicy, field = 'password'): FieldError[] {
  const violations: string[] = [];
  if ([...password].length < policy.minLength) violations.push(`Must be at least ${policy.minLength} characters long`);
  if (password.length > MAX_PASSWORD_LENGTH) violations.push(`Must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  if (Buffer.byteLength(password, 'utf8') > 72) violations.push('Must be at most 72 bytes long (UTF-8)');
  if (policy.requireUppercase && !/\p{Lu}/u.test(password)) violations.push('Must contain an uppercase letter');
  if (policy.requireLowercase && !/\p{Ll}/u.test(password)) violations.push('Must contain a lowercase letter');
  if (policy.requireNumber && !/\p{Nd}/u.test(password)) violations.push('Must contain a number');
  if (policy.requireSpecial && !/[^\p{L}\p{Nd}\s]/u.test(password)) violations.push('Must contain a special character');
  return violations.map((message) => ({ field, message }));
}
