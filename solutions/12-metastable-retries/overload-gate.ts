/**
 * Module 12: metastable retries (reference): the server's side.
 *
 * Answer 503 at once when the queue is already longer than a caller will wait, and skip queued
 * work whose caller has given up, so an overloaded node spends its workers only on answers
 * someone still wants.
 */

/**
 * Shed once the oldest queued request has waited this long: two thirds of a caller's 300 ms.
 * Lower sheds healthy traffic too (at 80% load a queue wait of 100 ms is not rare).
 */
const MAX_QUEUE_WAIT_MS = 200;

export interface OverloadGate {
  /** Skip a queued request whose caller has already timed out, when a worker takes it. */
  dropExpired: boolean;
  /** Runs for every request before it joins the queue. */
  admit(request: GateRequest, node: GateNode): { admit: boolean; retryAfterMs?: number };
}

export function createOverloadGate(): OverloadGate {
  return {
    dropExpired: true,
    admit(_request, node) {
      if (node.oldestQueuedWaitMs < MAX_QUEUE_WAIT_MS) return { admit: true };
      return { admit: false, retryAfterMs: 1000 };
    },
  };
}

// The harness's shapes for an admission hook (see shared/src/resilience/types.ts), as this file uses them.
interface GateRequest {
  readonly attempt: number;
  readonly deadline: number;
  readonly sentAt: number;
}
interface GateNode {
  readonly now: number;
  readonly workers: number;
  readonly inFlight: number;
  readonly queueLength: number;
  readonly oldestQueuedWaitMs: number;
  readonly recentQueueWaitMs: number;
}
