/**
 * How module 09's exports meet the resilience harness: a client's call policy that runs every
 * request through the learner's retry() with one of the learner's strategies. A failed attempt
 * becomes the error retry() sees (503 for a node that failed or refused, no status for a
 * timeout, the refusal's Retry-After), and the error retry() gives up with becomes the answer.
 */
import { HerdError, type Call, type Clock, type DelayFn, type PolicyFactory, type Response, type Rng } from '@herd/harness/engine';
import type { Exports } from '../../src/define.js';
import { RECOVERY_RETRY, type StrategyName } from './scenarios.js';

export interface RetryOptions {
  clock: Clock;
  rng: Rng;
  delay: DelayFn;
  maxAttempts: number;
  budgetMs: number;
}
export type RetryFn = <T>(op: (attempt: number) => Promise<T>, options: RetryOptions) => Promise<T>;
export type StrategyFactory = (options: { baseMs: number; capMs: number }) => unknown;

/**
 * What a failed attempt throws into retry(): an Error (a library such as p-retry refuses to
 * retry anything else) with its status and Retry-After, and the response it stands for. Tens of
 * thousands fail per run, so it is made without a stack trace: capturing one per attempt was a
 * fifth of a run.
 */
export class AttemptFailed extends Error {
  readonly response: Response;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(response: Response, status: number | undefined, retryAfterMs?: number) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(status === undefined ? `attempt ${response.attempt} timed out` : `attempt ${response.attempt}: ${status}`);
    Error.stackTraceLimit = limit;
    this.response = response;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}
AttemptFailed.prototype.name = 'AttemptFailed';

/** The learner's strategy factory, called: throws one line when it does not give a delay function. */
export function strategy(exports: Exports, name: StrategyName | 'none', options: { baseMs: number; capMs: number }): DelayFn {
  if (name === 'none') return () => 0;
  const made = (exports[name] as StrategyFactory)(options);
  if (typeof made !== 'function') throw new HerdError('BAD_RESPONSE', `${name}({ baseMs, capMs }) returned ${made === null ? 'null' : typeof made}, want a delay function (attempt, prevDelay, rng) => ms`);
  return made as DelayFn;
}

function failed(r: Response): AttemptFailed {
  // A timeout carries no status: the network gave no answer at all.
  return new AttemptFailed(r, r.status === 'timeout' ? undefined : 503, r.retryAfterMs);
}

/** Every client retries through the learner's retry() with `delay` made per client from the factory. */
export function retryPolicy(retry: RetryFn, makeDelay: () => DelayFn, settings = RECOVERY_RETRY): PolicyFactory {
  return ({ clock, rng }) => {
    const delay = makeDelay();
    const op = (call: Call) => async (): Promise<Response> => {
      const r = await call();
      if (r.status === 'ok') return r;
      throw failed(r);
    };
    return async (call) => {
      try {
        return await retry(op(call), { clock, rng, delay, maxAttempts: settings.maxAttempts, budgetMs: settings.budgetMs });
      } catch (error) {
        // The error retry() gave up with is the answer of the attempt it came from.
        if (error instanceof AttemptFailed) return error.response;
        throw error;
      }
    };
  };
}
