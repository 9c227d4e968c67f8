// Test fixture for shared/src/guard.test.ts: learner-like code that delegates to libraries which
// read the global clock and set their own timers (its folder is added as a learner dir).
import pRetry from 'p-retry';
import CircuitBreaker from 'opossum';
import { backOff } from 'exponential-backoff';
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';

/** Fails `failures` times, then answers; p-retry waits 100 ms, then 200 ms, ... between tries. */
export function retryThrough(failures: number, randomize = false): Promise<string> {
  let calls = 0;
  return pRetry(
    async () => {
      if (calls++ < failures) throw new Error(`try ${calls} failed`);
      return `ok after ${calls}`;
    },
    { retries: 5, minTimeout: 100, factor: 2, randomize },
  );
}

/** A breaker that opens after one failure and half-opens 1 s later; its stats roll on an interval. */
export function makeBreaker(): CircuitBreaker<[boolean], string> {
  return new CircuitBreaker(async (fail: boolean) => {
    if (fail) throw new Error('down');
    return 'up';
  }, { name: 'fixture', resetTimeout: 1000, errorThresholdPercentage: 1, volumeThreshold: 1, timeout: false });
}

/**
 * Fails `failures` times, then answers, through exponential-backoff (compiled to generators: its
 * timers are set in continuations with no learner frame on the stack); 100 ms, 200 ms, ...
 */
export function backOffThrough(failures: number, jitter: 'none' | 'full' = 'none'): Promise<string> {
  let calls = 0;
  return backOff(
    async () => {
      if (calls++ < failures) throw new Error(`try ${calls} failed`);
      return `ok after ${calls}`;
    },
    { numOfAttempts: 5, startingDelay: 100, timeMultiple: 2, jitter },
  );
}

/** A cockatiel breaker that opens on one failure and half-opens 1 s later; it reads Date.now only after an await. */
export function makeCockatiel(): { call(fn: () => Promise<string>): Promise<string>; state(): string } {
  const policy = circuitBreaker(handleAll, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(1) });
  return { call: (fn) => policy.execute(fn), state: () => CircuitState[policy.state]! };
}
