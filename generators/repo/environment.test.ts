import { describe, expect, it } from 'vitest';
import { checkDatabase, nodeVersionSatisfies } from './environment.js';

describe('nodeVersionSatisfies', () => {
  it.each([
    ['v20.19.0', true],
    ['v20.20.2', true],
    ['v22.1.0', true],
    ['v20.18.3', false],
    ['v18.20.0', false],
  ])('%s → %s', (version, ok) => expect(nodeVersionSatisfies(version)).toBe(ok));
});

describe('checkDatabase', () => {
  it('is skipped without a URL', async () => {
    expect(await checkDatabase('')).toMatchObject({ ok: true, skipped: true });
  });

  it('fails on an unreachable server and never prints the password', async () => {
    const check = await checkDatabase('postgres://app:hunter2@127.0.0.1:1/db');
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('postgres://app:***@127.0.0.1:1/db');
    expect(check.detail).not.toContain('hunter2');
  });
});
