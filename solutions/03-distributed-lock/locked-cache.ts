/**
 * Module 03, reference: one rebuild per key for the whole fleet. Each process coalesces its own
 * misses (single-flight); the one flight per process then competes for a lock in the shared
 * store. The holder takes a fencing token, rebuilds, writes through the fence and releases; the
 * others poll the store with jittered backoff until the value lands, take over a lock whose
 * holder vanished, and give up after maxWaitMs.
 */
import { HerdError, type AppDeps, type OriginValue, type ReadThrough, type SharedStore } from '@herd/harness';

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
  lockWaits(): number[];
}

export function createLockedCache(deps: LockedCacheDeps): LockedCache {
  const { store, clock, rng, origin, ttlMs, instance, lock } = deps;
  const flight = deps.singleFlight();
  const waits: number[] = [];

  /** undefined: not cached; null: cached "absent". */
  const read = async (key: string): Promise<OriginValue | null | undefined> => {
    const raw = await store.get(key);
    return raw === null ? undefined : (JSON.parse(raw) as OriginValue | null);
  };

  /** Runs with the lock held: fence first, then the rebuild, then a write the fence can refuse. */
  const rebuild = async (key: string, token: string): Promise<OriginValue | null> => {
    try {
      // Someone may have written it between our miss and our acquire.
      const landed = await read(key);
      if (landed !== undefined) return landed;
      const fence = await store.nextFence(key);
      const value = await origin.fetch(key);
      // Refused when a newer holder (ours expired mid-rebuild) already wrote: its value stands.
      await store.setFenced(key, JSON.stringify(value), fence, ttlMs);
      return value;
    } finally {
      // Compare-and-delete: after an expiry the lock may be someone else's now.
      await store.release(`lock:${key}`, token);
    }
  };

  const fill = async (key: string): Promise<OriginValue | null> => {
    const lockName = `lock:${key}`;
    const started = clock.now();
    let pause = lock.pollMs;
    for (let waited = false; ; waited = true) {
      const token = `${instance}:${rng.int(0, 2 ** 31)}`;
      if (await store.acquire(lockName, token, lock.pxMs)) {
        if (waited) waits.push(clock.now() - started);
        return rebuild(key, token);
      }
      // Someone else holds it: wait for their value, or for the lock to go (a crashed holder).
      for (;;) {
        const elapsed = clock.now() - started;
        if (elapsed >= lock.maxWaitMs) {
          waits.push(elapsed);
          throw new HerdError(
            'LOCK_WAIT_TIMEOUT',
            `waited ${Math.round(elapsed)} ms for another instance to rebuild ${key}; the lock holder neither wrote a value nor let its lock expire`,
            { key, instance },
          );
        }
        await clock.sleep(Math.min(pause * (0.5 + rng.next()), lock.maxWaitMs - elapsed));
        pause = Math.min(pause * 1.5, lock.pollMs * 4);
        const value = await read(key);
        if (value !== undefined) {
          waits.push(clock.now() - started);
          return value;
        }
        if ((await store.pttl(lockName)) === -2) break; // lock gone without a value: try to take it
      }
    }
  };

  return {
    async get(key) {
      const hit = await read(key);
      if (hit !== undefined) return hit;
      return flight.do(key, () => fill(key));
    },
    lockWaits: () => waits.slice(),
  };
}
