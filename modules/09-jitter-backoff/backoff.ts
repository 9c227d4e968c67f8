/**
 * Module 09: jitter backoff, part 1 of 2 (part 2 is retry.ts).
 *
 * Goal: four ways to wait before a retry, after Marc Brooker's "Exponential Backoff And Jitter"
 * (AWS Architecture Blog, 2015). Each is a factory: given { baseMs, capMs } it returns a delay
 * function (attempt, prevDelay, rng) => ms, where `attempt` is the attempt that just failed
 * (counted from 1), `prevDelay` the delay this function returned last time (0 before the first
 * retry) and `rng` the seeded randomness to draw from (never Math.random, nor a createRng of
 * your own: the same rng must give the same delays). With
 * ceiling = min(capMs, baseMs x 2^(attempt - 1)):
 *   exponential:  ceiling
 *   full jitter:  uniform(0, ceiling)
 *   equal jitter: ceiling/2 + uniform(0, ceiling/2)
 *   decorrelated: min(capMs, uniform(baseMs, 3 x prevDelay)), prevDelay = baseMs before the first retry
 *
 * As it stands every strategy waits the base and nothing else: every client that failed
 * together retries together, forever in step. Run `pnpm grade 09`; `pnpm hint 09` if stuck.
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

/** Capped exponential backoff, no jitter. */
export function exponential({ baseMs }: BackoffOptions): Delay {
  // TODO: double the wait with every failed attempt (baseMs x 2^(attempt - 1)), never above capMs.
  return () => baseMs;
}

/** Full jitter: uniform in [0, ceiling). */
export function fullJitter(options: BackoffOptions): Delay {
  // TODO: draw from rng between 0 and the capped ceiling.
  return exponential(options);
}

/** Equal jitter: half the ceiling for sure, the other half drawn. */
export function equalJitter(options: BackoffOptions): Delay {
  // TODO: t = the capped ceiling; wait t/2 plus a draw from rng between 0 and t/2.
  return exponential(options);
}

/** Decorrelated jitter: between the base and three times the last delay, capped. */
export function decorrelatedJitter(options: BackoffOptions): Delay {
  // TODO: min(capMs, a draw between baseMs and 3 x prevDelay); before the first retry prevDelay is 0: start from baseMs.
  return exponential(options);
}
