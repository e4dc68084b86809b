/** How often and how soon a failed delivery is tried again. */
export interface RetryPolicy {
  /** Deliveries of one event before it is given up on (failed_at). */
  maxAttempts: number;
  /** Wait after the first failure; doubles with every further failure. */
  baseDelayMs: number;
  /** Longest wait between two attempts. */
  maxDelayMs: number;
}

export type AfterFailure = { giveUp: true } | { giveUp: false; retryInMs: number };

/**
 * Wait before the next attempt after `failures` failed ones: exponential (base · 2^(failures-1), capped), with
 * "equal jitter" — between half and all of it — so events that failed together (a subscriber's dependency was
 * down) do not all come back at the same moment.
 */
export function retryDelayMs(failures: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** What to do once the delivery attempt number `attempts` (1-based) has failed. */
export function afterFailure(attempts: number, policy: RetryPolicy, random: () => number = Math.random): AfterFailure {
  if (attempts >= policy.maxAttempts) return { giveUp: true };
  return { giveUp: false, retryInMs: retryDelayMs(attempts, policy, random) };
}
