import { describe, expect, it } from 'vitest';
import { afterFailure, retryDelayMs, type RetryPolicy } from './retry-policy.js';

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 10_000 };
const lowest = () => 0;
const highest = () => 1;

describe('retryDelayMs', () => {
  it('doubles with every failure, between half and all of the step (equal jitter)', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy, highest))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy, lowest))).toEqual([500, 1_000, 2_000, 4_000]);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(3_000);
  });

  it('never waits longer than maxDelayMs, however many failures (no overflow)', () => {
    expect(retryDelayMs(5, policy, highest)).toBe(10_000);
    expect(retryDelayMs(1_000, policy, highest)).toBe(10_000);
    expect(retryDelayMs(1_000, policy, lowest)).toBe(5_000);
  });

  it('treats a count below one as the first failure', () => {
    expect(retryDelayMs(0, policy, highest)).toBe(1_000);
  });

  it('stays within bounds for random jitter', () => {
    for (let i = 0; i < 200; i++) {
      const delay = retryDelayMs(2, policy);
      expect(delay).toBeGreaterThanOrEqual(1_000);
      expect(delay).toBeLessThanOrEqual(2_000);
    }
  });
});

describe('afterFailure', () => {
  it('retries until the last allowed attempt has failed, then gives up', () => {
    expect(afterFailure(1, policy, highest)).toEqual({ giveUp: false, retryInMs: 1_000 });
    expect(afterFailure(4, policy, highest)).toEqual({ giveUp: false, retryInMs: 8_000 });
    expect(afterFailure(5, policy)).toEqual({ giveUp: true });
    expect(afterFailure(6, policy)).toEqual({ giveUp: true });
  });

  it('gives up at once when one attempt is all there is', () => {
    expect(afterFailure(1, { ...policy, maxAttempts: 1 })).toEqual({ giveUp: true });
  });
});
