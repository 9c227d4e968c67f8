/**
 * Module 12: metastable retries, the server's side.
 *
 * Goal: an overloaded node that spends its workers only on answers someone still wants. As
 * written it queues everything (up to half a second of work) and works through requests whose
 * callers gave up long ago. Answer 503 at once when the queue is already longer than a caller
 * will wait, and skip queued work whose caller has timed out (dropExpired).
 */

export interface OverloadGate {
  /** Skip a queued request whose caller has already timed out, when a worker takes it. */
  dropExpired: boolean;
  /** Runs for every request before it joins the queue. */
  admit(request: GateRequest, node: GateNode): { admit: boolean; retryAfterMs?: number };
}

export function createOverloadGate(): OverloadGate {
  return {
    // TODO: drop work whose caller has already given up.
    dropExpired: false,
    admit() {
      // TODO: refuse (503) while the queue is already longer than a caller will wait.
      return { admit: true };
    },
  };
}

// The harness's shapes for an admission hook (see shared/src/resilience/types.ts), as this file uses them.
interface GateRequest {
  /** 1 for the first attempt, 2 for the first retry. */
  readonly attempt: number;
  /** Clock time at which the caller stops waiting. */
  readonly deadline: number;
  readonly sentAt: number;
}
interface GateNode {
  readonly now: number;
  readonly workers: number;
  readonly inFlight: number;
  readonly queueLength: number;
  /** How long the oldest queued request has waited, ms (0 with an empty queue). */
  readonly oldestQueuedWaitMs: number;
  /** Mean queue wait of requests that started work in the last second, ms. */
  readonly recentQueueWaitMs: number;
}
