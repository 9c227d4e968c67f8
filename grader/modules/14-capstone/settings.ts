/**
 * The capstone's settings: one place for the TTL, the origin and each layer's knobs, shared by
 * the service, the load, the checks and the table, so every row runs under identical settings.
 */
export interface CapstoneSettings {
  ttlMs: number;
  /** The in-process L1 (jitter layer): short, so it adds little to a value's age. */
  l1TtlMs: number;
  jitter: number;
  /** The lock's value under XFetch: a handoff from holder to waiters, far shorter than the TTL. */
  handoffMs: number;
  beta: number;
  lock: { pxMs: number; maxWaitMs: number; pollMs: number };
  swr: { hardTtlMs: number; claimMs: number; retryMs: number };
  negativeTtlMs: number;
  maxNegative: number;
  breaker: { windowSize: number; windowMs: number; minCalls: number; failureRate: number; openMs: number; halfOpenProbes: number };
  /** Origin queries one process may have in flight while Redis is unusable. */
  originLimit: number;
  maxLastCopies: number;
  /** Requests one worker serves at once; the rest wait in its FIFO (what shedding watches). */
  concurrency: number;
}

export const SETTINGS: Readonly<CapstoneSettings> = {
  ttlMs: 1000,
  l1TtlMs: 200,
  jitter: 0.2,
  handoffMs: 400,
  beta: 1,
  lock: { pxMs: 1000, maxWaitMs: 5000, pollMs: 20 },
  swr: { hardTtlMs: 10_000, claimMs: 2000, retryMs: 1000 },
  negativeTtlMs: 500,
  maxNegative: 10_000,
  breaker: { windowSize: 20, windowMs: 10_000, minCalls: 10, failureRate: 0.5, openMs: 2000, halfOpenProbes: 3 },
  originLimit: 4,
  maxLastCopies: 10_000,
  concurrency: 64,
};

/** The origin behind the service: slow, and small enough that a herd queues at it. */
export const ORIGIN = { latencyMs: 100, jitterMs: 10, capacity: 16 } as const;

/** node:cluster workers: the course's fleet of four. */
export const WORKERS = 4;

/** Ids read at the origin as absent: the mixed load's share of unknown ids. */
export const isAbsent = (key: string): boolean => key.startsWith('absent-');
