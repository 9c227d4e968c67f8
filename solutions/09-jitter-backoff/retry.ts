/**
 * Module 09, reference: retry an operation with a backoff, but only while it can still help.
 * Gives up after maxAttempts with the last error, never retries an error that will fail the
 * same way again (a 4xx other than 408 and 429), waits the longer of the server's Retry-After and
 * the backoff, and never starts an attempt past the overall time budget (one at exactly the
 * budget is within it). Time comes only from options.clock.
 */
import type { Clock, Rng } from '@herd/harness';

/** How long to wait after failed attempt `attempt` (1 = the first call); `prevDelay` is the last delay returned (0 before any). */
export type Delay = (attempt: number, prevDelay: number, rng: Rng) => number;

export interface RetryOptions {
  clock: Clock;
  rng: Rng;
  /** The backoff between attempts (one of backoff.ts's strategies). */
  delay: Delay;
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** From the call to retry(): no attempt starts later than this, ms. */
  budgetMs: number;
}

/** What a failed attempt throws: an HTTP-like status (none for a network error or a timeout) and the server's Retry-After. */
export interface CallError {
  status?: number;
  retryAfterMs?: number;
}

/** No status (the network, a timeout), 5xx, 408 and 429 may succeed later; any other 4xx fails the same way again. */
export function isRetryable(error: unknown): boolean {
  const status = (error as CallError | null | undefined)?.status;
  if (typeof status !== 'number') return true;
  return status >= 500 || status === 408 || status === 429;
}

function retryAfter(error: unknown): number {
  const ms = (error as CallError | null | undefined)?.retryAfterMs;
  return typeof ms === 'number' && ms > 0 ? ms : 0;
}

export async function retry<T>(op: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { clock, rng, delay, maxAttempts, budgetMs } = options;
  const deadline = clock.now() + budgetMs;
  let prev = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (error) {
      if (attempt >= maxAttempts || !isRetryable(error)) throw error;
      prev = delay(attempt, prev, rng);
      // The server knows when it will be ready; the jittered backoff still spreads the callers.
      const wait = Math.max(prev, retryAfter(error));
      // An attempt that would start past the budget cannot help the caller: give up now, not later.
      // One that would start at exactly the deadline is still within it.
      if (clock.now() + wait > deadline) throw error;
      await clock.sleep(wait);
    }
  }
}
