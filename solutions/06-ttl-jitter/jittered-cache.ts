/**
 * Module 06, reference: TTL jitter. Every write, the batch job's and the read path's alike,
 * draws its own TTL uniformly from [ttlMs x (1 - jitter), ttlMs x (1 + jitter)] on deps.rng: a
 * catalogue written in one instant then expires over a window 2 x jitter x ttlMs wide instead of
 * in one instant, the mean TTL stays the nominal one (so the origin does the same work in total),
 * and no value outlives ttlMs x (1 + jitter).
 */
import type { AppDeps, OriginValue, ReadThrough, Rng } from '@herd/harness';

export interface SingleFlight {
  do<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export type JitterDeps = AppDeps & {
  /** The jitter's half-width as a share of the TTL: 0.2 means each write lives ttlMs x (1 ± 0.2). */
  jitter: number;
  /** Module 02's single flight (the reference, injected): one origin query per key per process. */
  singleFlight: () => SingleFlight;
};

/** The cache the batch job writes the catalogue into, and the readers read through. */
export interface JitteredCache extends ReadThrough {
  /** The batch job's write: `value` is cached as if it had just been fetched. */
  write(key: string, value: OriginValue): void;
}

/** One write's TTL: uniform in [ttlMs x (1 - jitter), ttlMs x (1 + jitter)], drawn from rng. */
export function jitteredTtl(ttlMs: number, jitter: number, rng: Rng): number {
  // Symmetric around the TTL: the mean stays ttlMs, so the spread costs no extra origin work and
  // the staleness bound grows by ttlMs x jitter, no more.
  return ttlMs * (1 + jitter * (2 * rng.next() - 1));
}

export function createJitteredCache(deps: JitterDeps): JitteredCache {
  const { cache, origin, ttlMs, jitter, rng } = deps;
  const flight = deps.singleFlight();
  // A fresh draw on every call: a TTL drawn once per key, or once per batch, would keep the
  // keys that were written together expiring together.
  const store = (key: string, value: OriginValue | null): void => cache.set(key, value, jitteredTtl(ttlMs, jitter, rng));

  return {
    write(key, value) {
      store(key, value);
    },
    async get(key) {
      const hit = cache.get(key) as OriginValue | null | undefined;
      if (hit !== undefined) return hit;
      return flight.do(key, async () => {
        const value = await origin.fetch(key);
        store(key, value);
        return value;
      });
    },
  };
}
