/**
 * Module 03: distributed lock.
 *
 * Goal: one origin query per key per TTL boundary for the whole fleet, not one per process. The
 * cache now lives in a store every instance shares (deps.store: Redis in production). Single-
 * flight (deps.singleFlight, module 02's reference) already coalesces misses inside one process;
 * add a lock in the shared store so that only one process rebuilds and the others wait for its
 * value. The lock must expire (a holder can crash), waiters must give up after lock.maxWaitMs
 * with a LOCK_WAIT_TIMEOUT HerdError, and a holder whose lock expired mid-rebuild must not
 * overwrite a newer value (fence its write). Record how long each waiter waited in lockWaits().
 *
 * Run `pnpm grade 03`; `pnpm hint 03` if you are stuck.
 */
import type { AppDeps, OriginValue, ReadThrough, SharedStore } from '@herd/harness';

export type LockedCacheDeps = AppDeps & {
  /** The store the whole fleet shares: the cache lives here, and so does the lock. */
  store: SharedStore;
  /** Module 02's single flight (the reference, injected). */
  singleFlight: () => { do<T>(key: string, fn: () => Promise<T>): Promise<T> };
  lock: {
    /** Lock expiry, ms: how long a crashed holder blocks everyone else. */
    pxMs: number;
    /** A waiter gives up after this long with LOCK_WAIT_TIMEOUT. */
    maxWaitMs: number;
    /** Base poll interval while waiting, ms. */
    pollMs: number;
  };
};

export interface LockedCache extends ReadThrough {
  /** How long each waiter (a process that did not get the lock) waited, ms. */
  lockWaits?(): number[];
}

export function createLockedCache(deps: LockedCacheDeps): LockedCache {
  const { store, origin, ttlMs } = deps;
  const flight = deps.singleFlight();
  // TODO: keep the lock wait of every waiter and return them from lockWaits().

  return {
    async get(key) {
      const raw = await store.get(key);
      if (raw !== null) return JSON.parse(raw) as OriginValue | null;
      return flight.do(key, async () => {
        // TODO: acquire `lock:${key}` with a unique token (deps.instance plus deps.rng) and PX lock.pxMs.
        // TODO: not the holder? Poll the store (jittered sleeps on deps.clock) until the value lands;
        //       take the lock yourself if it disappears without a value; give up after lock.maxWaitMs.
        // TODO: the holder takes a fencing token (store.nextFence) before it rebuilds...
        const value = await origin.fetch(key);
        // TODO: ...and writes through the fence (store.setFenced), so a late write cannot win.
        await store.set(key, JSON.stringify(value), ttlMs);
        // TODO: release the lock with your token, in a finally.
        return value;
      });
    },
  };
}
