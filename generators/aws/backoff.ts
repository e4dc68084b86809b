/** How long to wait between polls or retries: exponential with "equal jitter" (half fixed, half random). */
export interface BackoffPolicy {
  /** First delay in milliseconds. */
  baseMs: number;
  /** Upper bound of a single delay. */
  capMs: number;
}

export type Sleep = (ms: number) => Promise<void>;

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 30_000 };

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Delay before attempt `attempt + 1` (attempt counts from 0). Never below half the exponential step. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + random() * (step / 2));
}
