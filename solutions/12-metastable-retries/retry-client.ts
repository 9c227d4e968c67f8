/**
 * Module 12: metastable retries (reference).
 *
 * A client that retries without keeping a 10 s overload alive forever: a retry budget shared by
 * the whole client (retries at most ~10% of requests, gRPC's retry throttling) and adaptive
 * throttling per client (SRE book, chapter 21: reject locally with probability
 * max(0, (requests - K * accepts) / (requests + 1)), K = 2, over a trailing window).
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

/** gRPC's retry throttling: a failed attempt costs a token, a success earns 0.1; retry only above half. 40 tokens: a 100 requests/s client refills from empty to half in 2 s. */
const MAX_TOKENS = 40;
const TOKEN_RATIO = 0.1;
/** Adaptive throttling: send up to K times what the server accepts, counted over the last second. */
const K = 2;
const WINDOW_MS = 1000;
const BUCKETS = 10;

export function createRetryClient(options: RetryClientOptions): PolicyFactory {
  // One budget and one throttle for the whole client: every caller in it sees the same server.
  const budget = createRetryBudget();
  let throttle: ReturnType<typeof createAdaptiveThrottle> | undefined;
  return ({ clock, rng }) => {
    throttle ??= createAdaptiveThrottle(clock);
    const shared = throttle;
    return async (call, ctx) => {
      const attempt = async (): Promise<Response> => {
        if (options.throttle && shared.reject(rng)) return ctx.reject();
        const r = await call();
        if (options.throttle) shared.record(r.status === 'ok');
        if (options.budget) budget.record(r.status === 'ok');
        return r;
      };
      let r = await attempt();
      for (let a = 1; a < options.maxAttempts && r.status !== 'ok'; a++) {
        // A local rejection means this client already decided the server is overloaded.
        if (r.local) break;
        if (options.budget && !budget.canRetry()) break;
        await clock.sleep(options.backoffMs);
        r = await attempt();
      }
      return r;
    };
  };
}

/** Every failed attempt costs a token, every success earns TOKEN_RATIO back. */
function createRetryBudget() {
  let tokens = MAX_TOKENS;
  return {
    record(ok: boolean): void {
      tokens = ok ? Math.min(MAX_TOKENS, tokens + TOKEN_RATIO) : Math.max(0, tokens - 1);
    },
    // Above half: while failures outnumber successes ten to one, the bucket stays below it.
    canRetry: (): boolean => tokens > MAX_TOKENS / 2,
  };
}

/** Requests and accepts over a trailing window, in buckets so old counts fall out. */
function createAdaptiveThrottle(clock: Clock) {
  const bucketMs = WINDOW_MS / BUCKETS;
  const requests = new Array<number>(BUCKETS).fill(0);
  const accepts = new Array<number>(BUCKETS).fill(0);
  let current = 0;
  const roll = (): number => {
    const now = Math.floor(clock.now() / bucketMs);
    // Clear every bucket the clock moved past (all of them after a long quiet spell).
    for (let b = Math.max(current + 1, now - BUCKETS + 1); b <= now; b++) {
      requests[b % BUCKETS] = 0;
      accepts[b % BUCKETS] = 0;
    }
    current = Math.max(current, now);
    return now % BUCKETS;
  };
  const sum = (a: number[]): number => a.reduce((s, x) => s + x, 0);
  return {
    /** Counts the request, then decides: true means answer it locally. */
    reject(rng: Rng): boolean {
      const i = roll();
      const r = sum(requests);
      const p = Math.max(0, (r - K * sum(accepts)) / (r + 1));
      requests[i]!++;
      return rng.next() < p;
    },
    record(accepted: boolean): void {
      if (accepted) accepts[roll()]!++;
    },
  };
}

// The harness's shapes for a call policy (see shared/src/resilience/types.ts), as this file uses them.
interface Response {
  readonly status: 'ok' | 'rejected' | 'timeout' | 'failed';
  readonly latencyMs: number;
  readonly attempt: number;
  readonly node: string | null;
  readonly retryAfterMs?: number;
  readonly local?: boolean;
}
interface CallContext {
  readonly clock: Clock;
  readonly rng: Rng;
  reject(retryAfterMs?: number): Response;
}
type Policy = (call: () => Promise<Response>, ctx: CallContext) => Promise<Response>;
/** Called once per caller (ten callers share the client createRetryClient made), with that caller's clock and stream. */
export type PolicyFactory = (caller: { group: string; index: number; clock: Clock; rng: Rng }) => Policy;
