import { describe, expect, it } from 'vitest';
import { parseSpec } from '../spec/load-spec.js';
import { backoffDelay } from './backoff.js';
import { setAccountIds } from './spec-accounts.js';
import { FIXTURE_SPEC } from './testing/product-fixture.js';

describe('setAccountIds', () => {
  it('adds aws.region and quoted ids after the existing keys, keeping comments and the modeline', () => {
    const next = setAccountIds(FIXTURE_SPEC, { dev: '012345678901' }, 'eu-west-1');
    expect(next).toBe(`${FIXTURE_SPEC}aws:\n  region: eu-west-1\n  accounts:\n    dev: "012345678901"\n`);
    expect(parseSpec(next).spec.aws).toEqual({ region: 'eu-west-1', accounts: { dev: '012345678901' } });
  });

  it("keeps the owner's region and flow style, and returns the same text when nothing changes", () => {
    const text = `name: acme-crm\naws: { region: us-east-2, accounts: { dev: "111111111111" } } # ours\n`;
    const next = setAccountIds(text, { prod: '333333333333' }, 'eu-west-1');
    expect(next).toBe(`name: acme-crm\naws: { region: us-east-2, accounts: { dev: "111111111111", prod: "333333333333" } } # ours\n`);
    expect(setAccountIds(next, { dev: '111111111111', prod: '333333333333' }, 'eu-west-1')).toBe(next);
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap, with up to half of each step random', () => {
    const policy = { baseMs: 1000, capMs: 8000 };
    expect([0, 1, 2, 3, 4].map((attempt) => backoffDelay(policy, attempt, () => 0))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect([0, 1, 2, 3, 4].map((attempt) => backoffDelay(policy, attempt, () => 0.999999))).toEqual([1000, 2000, 4000, 8000, 8000]);
  });
});
