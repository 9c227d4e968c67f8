/**
 * The vocabulary of the resilience half of the course (modules 09-13): requests and responses
 * at the retry and overload layer, the read-only view of a node that admission control sees, and
 * the two places learner code plugs in (a node's admission hook, a client's call policy).
 */
import type { Clock } from '../clock.js';
import type { Rng } from '../rng.js';

/** SRE criticality, most important first. Health checks travel as 'critical'. */
export type Priority = 'critical' | 'high' | 'normal' | 'sheddable';
export const PRIORITIES: readonly Priority[] = ['critical', 'high', 'normal', 'sheddable'];

/** One attempt as a node receives it. */
export interface Request {
  /** Unique per attempt (health checks included) within a run. */
  readonly id: number;
  /** The original request this attempt serves; equal to `id`'s original for every retry. */
  readonly originalId: number;
  /** 1 for the first attempt, 2 for the first retry; 0 for a health check. */
  readonly attempt: number;
  readonly priority: Priority;
  /** Absolute clock time at which the caller stops waiting for this attempt (Infinity: never). */
  readonly deadline: number;
  readonly kind: 'work' | 'health';
  /** Clock time the caller sent it. */
  readonly sentAt: number;
}

/**
 * How an attempt ended, seen from the client: 'rejected' is a fast 503 (admission, a full queue,
 * no healthy node, or the client's own throttle); 'timeout' is the client's per-attempt timeout;
 * 'failed' is a node that is down and says so.
 */
export type Status = 'ok' | 'rejected' | 'timeout' | 'failed';
export const STATUSES: readonly Status[] = ['ok', 'rejected', 'timeout', 'failed'];

export interface Response {
  readonly status: Status;
  /** From the call to this answer, ms. */
  readonly latencyMs: number;
  /** Which attempt of its original request this was; 0 when the policy answered without a call. */
  readonly attempt: number;
  /** Node that answered, or null when none did (local rejection, no healthy node, timeout before routing). */
  readonly node: string | null;
  /** A rejection's hint: do not retry before this many ms. */
  readonly retryAfterMs?: number;
  /** True when the client's own policy produced this answer (a circuit breaker, a throttle). */
  readonly local?: boolean;
}

/** What a node's admission hook sees: live, read-only figures of that node. */
export interface NodeView {
  readonly id: string;
  readonly now: number;
  /** Workers right now (capacity faults change it). */
  readonly workers: number;
  /** Requests being worked on. */
  readonly inFlight: number;
  readonly queueLength: number;
  readonly maxQueue: number;
  /** How long the oldest queued request has waited, ms (0 with an empty queue). */
  readonly oldestQueuedWaitMs: number;
  /** Mean queue wait of requests that started work in the trailing window, ms (0 if none). */
  readonly recentQueueWaitMs: number;
  /** Mean queue wait plus service time of requests finished in the trailing window, ms (0 if none). */
  readonly recentLatencyMs: number;
  /** The trailing window of the two figures above, ms. */
  readonly windowMs: number;
}

export interface AdmissionDecision {
  admit: boolean;
  /** With admit false: the Retry-After the 503 carries. */
  retryAfterMs?: number;
}

/** Runs in front of a node's queue for every request, health checks included. Must be fast. */
export type AdmissionHook = (request: Request, node: NodeView) => AdmissionDecision;

/**
 * What a node's admission factory is given: the node's id, the run's clock, and a seeded stream
 * of its own (forked from the run's seed per node), for a hook that spreads its Retry-After.
 */
export interface AdmissionContext {
  readonly id: string;
  readonly clock: Clock;
  readonly rng: Rng;
}

/** Makes the admission hook of one node (state kept in the closure is per node). */
export type AdmissionFactory = (node: AdmissionContext) => AdmissionHook;

/** What a policy knows about the original request it is serving. */
export interface OriginalRequest {
  readonly id: number;
  readonly priority: Priority;
  /** Clock time it arrived. */
  readonly arrivedAt: number;
  /** Absolute time after which success no longer counts as goodput (Infinity: none). */
  readonly deadline: number;
  /** Client (index within its group) that sent it. */
  readonly client: number;
}

export interface CallContext {
  readonly clock: Clock;
  /** This client's seeded stream. */
  readonly rng: Rng;
  readonly request: OriginalRequest;
  /** An answer made by the client itself, without calling (an open breaker, a throttle). */
  reject(retryAfterMs?: number): Response;
}

/** Sends one attempt; resolves (never rejects) with its response once it answers or times out. */
export type Call = () => Promise<Response>;

/**
 * Every call a client makes goes through its policy: retries, backoff, budgets, adaptive
 * throttling and breakers all fit `(call, ctx) => Promise<Response>`. The default makes one call.
 */
export type Policy = (call: Call, ctx: CallContext) => Promise<Response>;

/** Makes the policy of one client; state shared by a whole group lives outside the factory. */
export type PolicyFactory = (client: { group: string; index: number; clock: Clock; rng: Rng }) => Policy;

/** The default policy: one attempt, no retry. */
export const singleAttempt: Policy = (call) => call();
