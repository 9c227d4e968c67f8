/**
 * Module 10: load shedding (reference).
 *
 * Admission control in front of one node's queue. The signal is how long the request at the head
 * of the queue has waited: it is measured in time, not in requests per second, so it follows the
 * node's real capacity whatever happens to it (slower requests, fewer workers) with nothing to
 * reconfigure. Each priority may add to a queue only while that wait is under its own budget, so
 * as the wait grows sheddable work is turned away first, then normal, then high; critical work
 * (health checks) is never turned away. A refusal is decided before the request joins the queue,
 * costs no work, and carries a Retry-After.
 */
import type { Clock } from '@herd/harness';

/** SRE criticality, most important first. Health checks travel as 'critical'. */
export type Priority = 'critical' | 'high' | 'normal' | 'sheddable';

/** What the node tells admission about one request. */
export interface Request {
  readonly priority: Priority;
  /** Clock time at which the caller stops waiting. */
  readonly deadline: number;
  readonly kind: 'work' | 'health';
}

/** Live, read-only figures of the node, read at the moment a request arrives. */
export interface NodeView {
  readonly now: number;
  /** Workers right now. */
  readonly workers: number;
  /** Requests being worked on. */
  readonly inFlight: number;
  readonly queueLength: number;
  /** How long the oldest queued request has waited, ms (0 with an empty queue). */
  readonly oldestQueuedWaitMs: number;
  /** Mean queue wait of requests that started work in the trailing window, ms. */
  readonly recentQueueWaitMs: number;
  /** Mean queue wait plus service time of requests finished in the trailing window, ms. */
  readonly recentLatencyMs: number;
}

/** admit: false is a 503 sent at once; retryAfterMs is the Retry-After it carries. */
export interface Decision {
  admit: boolean;
  retryAfterMs?: number;
}

export type AdmissionHook = (request: Request, node: NodeView) => Decision;

/**
 * Queue wait each priority may still join, ms. The gaps between budgets are what orders the
 * shedding: the wait settles near the budget of the lowest class still being admitted, so the
 * classes below it are refused outright. The largest stays far inside the callers' 1 s timeout.
 */
export const WAIT_BUDGET_MS: Readonly<Record<Priority, number>> = { critical: Infinity, high: 100, normal: 50, sheddable: 20 };

/** Long enough for the backlog to drain; a refused caller retries later, not at once. */
export const RETRY_AFTER_MS = 1000;

/** Makes the admission hook of one node; called once per node (keep any state in the closure). */
export function createAdmission(_node: { id: string; clock: Clock }): AdmissionHook {
  return (request, view) => {
    if (view.oldestQueuedWaitMs < WAIT_BUDGET_MS[request.priority]) return { admit: true };
    return { admit: false, retryAfterMs: RETRY_AFTER_MS };
  };
}
