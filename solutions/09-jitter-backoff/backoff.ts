/**
 * Module 09, reference: four ways to wait before a retry, after Marc Brooker's "Exponential
 * Backoff And Jitter" (AWS Architecture Blog, 2015). Each is a factory taking the base and the
 * cap, returning a delay function of (attempt, prevDelay, rng). `attempt` is the attempt that
 * just failed, counted from 1, so the first retry's ceiling is the base itself.
 */
import type { Rng } from '@herd/harness';

/** How long to wait after failed attempt `attempt` (1 = the first call); `prevDelay` is the last delay returned (0 before any). */
export type Delay = (attempt: number, prevDelay: number, rng: Rng) => number;

export interface BackoffOptions {
  /** The first retry's ceiling, ms. */
  baseMs: number;
  /** No delay is ever longer, ms. */
  capMs: number;
}

/** base x 2^(attempt - 1), capped. Math.min before anything else, so a huge attempt is just the cap. */
function ceiling(attempt: number, { baseMs, capMs }: BackoffOptions): number {
  return Math.min(capMs, baseMs * 2 ** (attempt - 1));
}

/** Capped exponential backoff, no jitter: every client that failed together retries together. */
export function exponential(options: BackoffOptions): Delay {
  return (attempt) => ceiling(attempt, options);
}

/** Full jitter: uniform in [0, ceiling). The fewest calls; some retries come almost at once. */
export function fullJitter(options: BackoffOptions): Delay {
  return (attempt, _prev, rng) => rng.between(0, ceiling(attempt, options));
}

/** Equal jitter: half the ceiling for sure, the other half random. Never retries too soon. */
export function equalJitter(options: BackoffOptions): Delay {
  return (attempt, _prev, rng) => {
    const t = ceiling(attempt, options);
    return t / 2 + rng.between(0, t / 2);
  };
}

/** Decorrelated jitter: uniform between the base and three times the last delay, then capped. */
export function decorrelatedJitter({ baseMs, capMs }: BackoffOptions): Delay {
  return (_attempt, prevDelay, rng) => {
    // Before the first retry there is no last delay: the sequence starts from the base.
    const prev = prevDelay > 0 ? prevDelay : baseMs;
    return Math.min(capMs, rng.between(baseMs, prev * 3));
  };
}
