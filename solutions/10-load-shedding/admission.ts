/**
 * Module 10: load shedding (reference).
 *
 * Admission control in front of one node's queue. The signal is the wait a request joining the
 * queue now would face: the requests ahead of it, times the service time the node measures,
 * over its workers (Little's law), and never less than the head of the queue has already waited.
 * It is measured in time, not in requests per second, so it follows the node's real capacity
 * whatever happens to it (slower requests, fewer workers) with nothing to reconfigure. Each
 * priority may join only while that wait is under its own budget, so as the wait grows sheddable
 * work is turned away first, then normal, then high; critical work (health checks) is never
 * turned away. A refusal is decided before the request joins the queue, costs no work, and
 * carries a Retry-After.
 */
import type { Clock, Rng } from '@herd/harness';

/** SRE criticality, most important first. Health checks travel as 'critical'. */
export type Priority = 'critical' | 'high' | 'normal' | 'sheddable';

/** What the node tells admission about one request. */
export interface Request {
  /** Unique per attempt within a run (a retry is a new attempt with a new id). */
  readonly id: number;
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
 * Wait each priority may still join, ms. The gaps between budgets are what orders the shedding:
 * the wait settles near the budget of the lowest class still being admitted, give or take the
 * swings of its queue, so the classes below it are refused outright and the classes above it
 * still get in. Each is at least twice the one below, which holds those swings even when the
 * node is several times slower than usual. The largest stays far inside the callers' 1 s timeout.
 */
export const WAIT_BUDGET_MS: Readonly<Record<Priority, number>> = { critical: Infinity, high: 100, normal: 50, sheddable: 20 };

/** Long enough for the backlog to drain; a refused caller retries later, not at once. */
export const RETRY_AFTER_MS = 1000;

/**
 * The wait a request joining the queue now would face, ms. The head's own wait is not enough:
 * everything behind it arrived while it waited, so past capacity the newest request waits far
 * longer than the head has (at 1.5x load on a node 4x slower, about four times longer).
 */
function expectedWaitMs(view: NodeView): number {
  if (view.inFlight < view.workers) return 0;
  // Mean service time over the trailing window: latency minus queue wait (0 before any finish).
  const serviceMs = view.recentLatencyMs - view.recentQueueWaitMs;
  const ahead = serviceMs > 0 ? ((view.queueLength + 1) * serviceMs) / Math.max(1, view.workers) : 0;
  // Right after a slowdown the trailing means still show the old service time: the head's wait
  // already shows the new one.
  return Math.max(ahead, view.oldestQueuedWaitMs);
}

/**
 * Makes the admission hook of one node; called once per node (keep any state in the closure).
 * `rng` is this node's seeded stream, for a hook that spreads its Retry-After (this one does not).
 */
export function createAdmission(_node: { id: string; clock: Clock; rng: Rng }): AdmissionHook {
  return (request, view) => {
    if (request.priority === 'critical' || expectedWaitMs(view) < WAIT_BUDGET_MS[request.priority]) return { admit: true };
    return { admit: false, retryAfterMs: RETRY_AFTER_MS };
  };
}
