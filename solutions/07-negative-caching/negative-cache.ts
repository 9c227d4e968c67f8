/**
 * Module 07, reference: negative caching. A "not found" from the origin is an answer worth
 * keeping, briefly: it goes into a space of its own, an LRU bounded in entries (lru-cache, on
 * the run's clock through its `perf` option), for negativeTtlMs. A scan of distinct absent ids
 * then costs at most maxNegative entries and pushes out only other negative entries, never the
 * values in deps.cache. In a fleet the entry is also written to the shared store with a PX, so
 * one instance's "not found" spares the others; a local copy never outlives the store's entry.
 * An origin error or timeout is not an answer: it propagates, and nothing is cached.
 */
import bloom from 'bloom-filters';
import { LRUCache } from 'lru-cache';
import type { AppDeps, OriginValue, ReadThrough, SharedStore } from '@herd/harness';

export type NegativeCacheDeps = AppDeps & {
  /** How long a "not found" may be served, ms: much shorter than ttlMs. */
  negativeTtlMs: number;
  /** The most negative entries this instance may hold at once. */
  maxNegative: number;
  /** Module 02's single flight (the reference, injected): one origin query per key per process. */
  singleFlight: () => { do<T>(key: string, fn: () => Promise<T>): Promise<T> };
  /** In a fleet: the store every instance shares, for negative entries (SET PX). */
  store?: SharedStore;
};

export interface NegativeCache extends ReadThrough {
  /** The key now exists (its writer says so): drop its negative entry, here and in the store. */
  created(key: string): Promise<void>;
}

/** The store's name for a key's negative entry. */
export const negativeName = (key: string): string => `neg:${key}`;

export function createNegativeCache(deps: NegativeCacheDeps): NegativeCache {
  const { clock, origin, cache, ttlMs, negativeTtlMs, maxNegative, store } = deps;
  const flight = deps.singleFlight();
  const negative = new LRUCache<string, true>({
    max: maxNegative,
    ttl: negativeTtlMs,
    // lru-cache reads performance.now() by default; the run's clock is deps.clock. It takes a
    // start of 0 for "no TTL", so the clock is read one ms late: an entry written at t=0 expires.
    perf: { now: () => clock.now() + 1 },
    // 0: read the clock on every check, rather than caching it for 1 ms behind a timer.
    ttlResolution: 0,
  });

  const load = async (key: string): Promise<OriginValue | null> => {
    if (store !== undefined) {
      // Another instance's "not found": keep it here for what is left of it, no longer.
      const left = await store.pttl(negativeName(key));
      if (left > 0) {
        negative.set(key, true, { ttl: left });
        return null;
      }
    }
    // An error or a timeout rejects here, and nothing below runs: the next read asks again.
    const value = await origin.fetch(key);
    if (value === null) {
      negative.set(key, true);
      if (store !== undefined) await store.set(negativeName(key), '1', negativeTtlMs);
      return null;
    }
    cache.set(key, value, ttlMs);
    return value;
  };

  return {
    async get(key) {
      const hit = cache.get(key) as OriginValue | undefined;
      if (hit !== undefined) return hit;
      if (negative.has(key)) return null;
      return flight.do(key, () => load(key));
    },
    async created(key) {
      negative.delete(key);
      if (store !== undefined) await store.del(negativeName(key));
    },
  };
}

/** Optional (graded when exported): a filter of the ids that exist, to ask before the origin. */
export interface IdFilter {
  add(id: string): void;
  /** False: the id certainly does not exist. True: it may (or it is a false positive). */
  mightExist(id: string): boolean;
}

/**
 * A Bloom filter (bloom-filters on npm) of `ids`, sized for `capacity` ids in all: sized for
 * today's ids only, its false positive rate climbs past the configured one as ids are added.
 */
export function createIdFilter(options: { ids: readonly string[]; capacity: number; falsePositiveRate: number }): IdFilter {
  const filter = bloom.BloomFilter.create(Math.max(options.capacity, options.ids.length), options.falsePositiveRate);
  for (const id of options.ids) filter.add(id);
  return { add: (id) => filter.add(id), mightExist: (id) => filter.has(id) };
}
