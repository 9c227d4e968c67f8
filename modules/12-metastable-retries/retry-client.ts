/**
 * Module 12: metastable retries.
 *
 * Goal: a client whose retries cannot keep a service down after the thing that knocked it over
 * is gone. As written, every caller retries a failed attempt at once (3 attempts, 10 ms apart):
 * after a 10 s latency spike the service stays pinned at zero goodput, because the retries alone
 * keep it overloaded. Add, where the TODOs are, two layers the grader turns on by option:
 *   - budget: retries at most about 10% of requests, for the whole client (gRPC's retry
 *     throttling: a token bucket that failures drain and successes refill);
 *   - throttle: adaptive throttling (SRE book, ch. 21): before each attempt, reject it locally
 *     with probability max(0, (requests - K * accepts) / (requests + 1)), K = 2, over a trailing
 *     window of about a second.
 * With both options off, keep the naive behaviour: the grader checks that it still pins.
 * The third layer, on the server, is overload-gate.ts.
 *
 * Run `pnpm grade 12`; `pnpm hint 12` if you are stuck.
 */
import type { Clock, Rng } from '@herd/harness';

export interface RetryClientOptions {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Pause before each retry, ms. */
  backoffMs: number;
  /** Cap retries at about 10% of requests, for the whole client. */
  budget: boolean;
  /** Reject locally once the server accepts much less than it is sent (K = 2). */
  throttle: boolean;
}

export function createRetryClient(options: RetryClientOptions): PolicyFactory {
  // TODO: state shared by every caller of this client (the retry budget) lives here.
  return ({ clock }) => {
    // TODO: the adaptive throttle's window (requests and accepts) lives here or above.
    return async (call) => {
      // TODO: with options.throttle, maybe reject this attempt locally (ctx.reject()) before calling.
      let r = await call();
      // TODO: record the outcome (ok or not) where the budget and the throttle can see it.
      for (let a = 1; a < options.maxAttempts && r.status !== 'ok'; a++) {
        // TODO: with options.budget, stop here when the budget says no more retries.
        await clock.sleep(options.backoffMs);
        r = await call();
      }
      return r;
    };
  };
}

// The harness's shapes for a call policy (see shared/src/resilience/types.ts), as this file uses them.
interface Response {
  readonly status: 'ok' | 'rejected' | 'timeout' | 'failed';
  readonly latencyMs: number;
  /** Which attempt this was; 0 when the policy answered itself (ctx.reject). */
  readonly attempt: number;
  readonly node: string | null;
  readonly retryAfterMs?: number;
  /** True when the client's own policy produced this answer. */
  readonly local?: boolean;
}
interface CallContext {
  readonly clock: Clock;
  /** This client's seeded stream: use it, never Math.random. */
  readonly rng: Rng;
  /** An answer made by the client itself, without calling: a throttled attempt. */
  reject(retryAfterMs?: number): Response;
}
/** Sends one attempt; resolves (never rejects) once it is answered or times out. */
type Call = () => Promise<Response>;
type Policy = (call: Call, ctx: CallContext) => Promise<Response>;
/** Called once per caller (ten callers share the client createRetryClient made), with that caller's clock and stream. */
export type PolicyFactory = (caller: { group: string; index: number; clock: Clock; rng: Rng }) => Policy;
