/**
 * Clients that honour Retry-After, for checks that judge a hint by its effect rather than by its
 * value: a refused attempt is retried exactly when the 503 said (at once when it said nothing
 * usable: no number, NaN, 0 or less, as most clients would), at most `maxAttempts` attempts per
 * request, and never once the request's own deadline would have passed. Every hint the clients
 * received is kept, so a message can say what the node told them.
 */
import type { PolicyFactory } from '@herd/harness/engine';

export interface HonouringOptions {
  /** Attempts per original request, the first included. */
  maxAttempts: number;
}

/** What the clients were told: every Retry-After on a 503 (NaN where there was none). */
export interface HintLog {
  hints: number[];
}

/** The wait a client that honours `retryAfterMs` takes before retrying, ms. */
export function honouredWaitMs(retryAfterMs: number | undefined): number {
  return typeof retryAfterMs === 'number' && retryAfterMs > 0 ? retryAfterMs : 0;
}

export function honouringRetryAfter(options: HonouringOptions, log: HintLog = { hints: [] }): PolicyFactory {
  return ({ clock }) =>
    async (call, ctx) => {
      let r = await call();
      for (let attempt = 1; r.status === 'rejected'; attempt++) {
        log.hints.push(typeof r.retryAfterMs === 'number' ? r.retryAfterMs : NaN);
        const wait = honouredWaitMs(r.retryAfterMs);
        if (attempt >= options.maxAttempts || !(clock.now() + wait < ctx.request.deadline)) break;
        await clock.sleep(wait);
        r = await call();
      }
      return r;
    };
}

/** The median of the hints that were numbers, or undefined when none was. */
export function medianHint(log: HintLog): number | undefined {
  const xs = log.hints.filter((h) => !Number.isNaN(h)).sort((a, b) => a - b);
  return xs.length === 0 ? undefined : xs[Math.floor(xs.length / 2)];
}
