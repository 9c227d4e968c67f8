/**
 * Module 09: jitter backoff, part 2 of 2 (part 1 is backoff.ts).
 *
 * Goal: retry(op, options) calls op(attempt) until it succeeds, but only while retrying can still
 * help. It waits options.delay(attempt, prevDelay, options.rng) ms on options.clock between
 * attempts (one of your strategies), gives up after options.maxAttempts attempts in all with the
 * last error (the same object), never retries an error that will fail the same way again (a
 * status 400-499 other than 408 and 429; no status means the network failed, which is worth a
 * retry), waits the longer of the backoff and a server's retryAfterMs, and starts no attempt
 * more than options.budgetMs after retry() was called: when the next attempt could only start
 * past it, it gives up at once (an attempt due at exactly the budget is still made).
 * Time comes only from options.clock.
 *
 * As it stands it retries at once, whatever the error, until maxAttempts: a herd of its own.
 * Run `pnpm grade 09`; `pnpm hint 09` if stuck.
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

export async function retry<T>(op: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { maxAttempts } = options;
  // TODO: remember when retry() started, for options.budgetMs.
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (error) {
      if (attempt >= maxAttempts) throw error;
      // TODO: rethrow at once an error a retry cannot fix: a status 400-499 other than 408 and 429.
      // TODO: wait the longer of options.delay(attempt, prevDelay, options.rng) and
      //       (error as CallError).retryAfterMs, in ms, on options.clock (the longer, not the sum);
      //       give up now if the next attempt would start past the budget.
    }
  }
}
