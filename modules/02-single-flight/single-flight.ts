/**
 * Module 02: single-flight.
 *
 * Goal: when many requests in one process miss the same key at once, only one of them should
 * rebuild it; the rest wait for that rebuild and share its result (or its error). Implement
 * createSingleFlight().do(key, fn): the first caller for a key runs fn, concurrent callers for
 * the same key get the same promise, and once it settles the next call runs fn again.
 *
 * createSingleFlightCache below is given: it is module 01's cache-aside with its miss path
 * routed through your single flight. Run `pnpm grade 02`; `pnpm hint 02` if you are stuck.
 */
import type { AppDeps, OriginValue, ReadThrough } from '@herd/harness';

export interface SingleFlight {
  /** Runs fn for `key` unless a call for `key` is already in flight; then shares its outcome. */
  do<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export function createSingleFlight(): SingleFlight {
  // TODO: remember the promise of each key's call in flight.

  return {
    do<T>(key: string, fn: () => Promise<T>): Promise<T> {
      // TODO: if a call for `key` is in flight, return its promise instead of calling fn.
      // TODO: forget the key once the call settles, whether it succeeded or failed.
      void key;
      return fn();
    },
  };
}

/** Given: cache-aside whose miss path goes through single flight. No edits needed. */
export function createSingleFlightCache(deps: AppDeps): ReadThrough {
  const { cache, origin, ttlMs } = deps;
  const flight = createSingleFlight();
  return {
    async get(key) {
      const hit = cache.get(key) as OriginValue | null | undefined;
      if (hit !== undefined) return hit;
      return flight.do(key, async () => {
        const value = await origin.fetch(key);
        cache.set(key, value, ttlMs);
        return value;
      });
    },
  };
}
