/**
 * Every error the harness raises carries a stable `code` and the context needed to act on it.
 * Messages name the problem and the fix, in one line, so the grader can print them as they are.
 */
export type HerdErrorCode =
  | 'HANG'                // a learner call never settled and nothing is scheduled
  | 'STUCK'               // a learner call is still pending long after the scenario ended
  | 'GLOBAL_TIMER'        // learner code used setTimeout/Date.now during a virtual run
  | 'ORIGIN_ERROR'        // an injected origin failure
  | 'ORIGIN_TIMEOUT'      // the origin gave up on a query
  | 'ORIGIN_OVERLOADED'   // the origin's queue was full
  | 'BAD_SCENARIO'        // a scenario spec the harness cannot run
  | 'LOCK_WAIT_TIMEOUT'   // a waiter gave up waiting for another instance's rebuild
  | 'STORE_UNAVAILABLE'   // the shared store (Redis) cannot be reached
  | 'BAD_APP'           // learner code broke the app contract (no get, a get that returns no promise)
  | 'NOT_IMPLEMENTED'     // a starter's TODO
  | 'BAD_RESPONSE'       // a resilience policy or delay function answered something the harness cannot use
  | 'BAD_ANSWER';        // a get() answered another key's value, a made-up value, null for a key that exists, or a value too old

export class HerdError extends Error {
  readonly code: HerdErrorCode;
  readonly context: Record<string, unknown>;

  constructor(code: HerdErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = 'HerdError';
    this.code = code;
    this.context = context;
  }
}

export function isHerdError(e: unknown, code?: HerdErrorCode): e is HerdError {
  return e instanceof HerdError && (code === undefined || e.code === code);
}
