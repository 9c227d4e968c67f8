/**
 * Module 02, reference: per-process request coalescing. Concurrent callers for one key share the
 * one promise in flight; the entry goes away when it settles, so a failure is shared by its
 * waiters but never cached.
 */
import type { AppDeps, OriginValue, ReadThrough } from '@herd/harness';

export interface SingleFlight {
  /** Runs fn for `key` unless a call for `key` is already in flight; then shares its outcome. */
  do<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export function createSingleFlight(): SingleFlight {
  // One entry per key with a rebuild in flight; removed when that rebuild settles.
  const inFlight = new Map<string, Promise<unknown>>();

  return {
    do<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const running = inFlight.get(key);
      if (running !== undefined) return running as Promise<T>;
      const call = (async () => fn())();
      inFlight.set(key, call);
      // Delete only our own entry: by the time this runs a newer call may own the key.
      const forget = (): void => {
        if (inFlight.get(key) === call) inFlight.delete(key);
      };
      call.then(forget, forget);
      return call;
    },
  };
}

/** Given: cache-aside whose miss path goes through single flight. */
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
