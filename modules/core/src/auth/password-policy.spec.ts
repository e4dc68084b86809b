import { describe, expect, it } from 'vitest';
import { passwordViolations } from './password-policy.js';

const POLICY = { minLength: 12, requireUppercase: true, requireLowercase: true, requireNumber: true, requireSpecial: true };

describe('passwordViolations', () => {
  it('accepts a password that meets every rule', () => {
    expect(passwordViolations('Correct-Horse-9', POLICY)).toEqual([]);
  });

  it('lists every broken rule on the field', () => {
    expect(passwordViolations('short', POLICY)).toEqual([
      { field: 'password', message: 'Must be at least 12 characters long' },
      { field: 'password', message: 'Must contain an uppercase letter' },
      { field: 'password', message: 'Must contain a number' },
      { field: 'password', message: 'Must contain a special character' },
    ]);
    expect(passwordViolations('ALLUPPERCASE1!', POLICY, 'new_password')).toEqual([{ field: 'new_password', message: 'Must contain a lowercase letter' }]);
  });

  it('honours a relaxed policy', () => {
    expect(passwordViolations('abcdefgh', { ...POLICY, minLength: 8, requireUppercase: false, requireNumber: false, requireSpecial: false })).toEqual([]);
  });

  it('rejects passwords bcrypt would truncate', () => {
    expect(passwordViolations(`Aa1!${'é'.repeat(40)}`, POLICY).map((v) => v.message)).toContain('Must be at most 72 bytes long (UTF-8)');
  });
});
