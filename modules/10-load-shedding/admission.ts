/**
 * Module 10: load shedding.
 *
 * Goal: admission control in front of one node's queue. Offered more than it can serve, a node
 * that accepts everything serves nobody: every request waits in the queue until its caller has
 * given up, and the node spends its workers on answers nobody is waiting for. Your hook runs for
 * every request before it joins the queue; refusing there (a 503) costs no work.
 *
 * Refuse only when the node is really overloaded (never at half load), on a signal that follows
 * the node's capacity when it changes (how long requests wait, not a fixed rate), by priority
 * (sheddable first, critical never: health checks travel as critical), and say when to come
 * back (a Retry-After). The hook is called once per request and must answer at once.
 *
 * As written it admits everything. Run `pnpm grade 10`; `pnpm hint 10` if stuck.
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
 * Makes the admission hook of one node; called once per node (keep any state in the closure).
 * `rng` is this node's seeded stream, should you want to spread your Retry-After.
 */
export function createAdmission(_node: { id: string; clock: Clock; rng: Rng }): AdmissionHook {
  return (_request, _view) => {
    // TODO: refuse (admit: false) when the request would wait too long to be served in time;
    //       read the node's live figures (view.oldestQueuedWaitMs, view.queueLength, ...).
    // TODO: shed by priority: 'sheddable' first, then 'normal', then 'high'; never 'critical'.
    // TODO: every refusal carries retryAfterMs, so the caller knows when to come back.
    return { admit: true };
  };
}
