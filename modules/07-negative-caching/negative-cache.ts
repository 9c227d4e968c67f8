/**
 * Module 07: negative caching. Most ids a crawler (or a client bug) asks for do not exist. This
 * cache keeps only values, so every "not found" goes back to the origin, every time, at the full
 * request rate. Your goal: cache "not found" for deps.negativeTtlMs in a space bounded to
 * deps.maxNegative entries (lru-cache is installed: give it the run's clock through its `perf`
 * option), so a scan of 100,000 absent ids can neither grow memory without bound nor push the
 * values out of deps.cache; drop a key's negative entry when created(key) says it now exists;
 * never cache an origin error or timeout as "not found"; and, in a fleet (deps.store), share
 * negative entries through the store with a PX. The README states the checks.
 */
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

export function createNegativeCache(deps: NegativeCacheDeps): NegativeCache {
  const { origin, cache, ttlMs } = deps;
  const flight = deps.singleFlight();
  // TODO: a bounded space for negative entries (new LRUCache({ max, ttl, perf }) from 'lru-cache').

  const load = async (key: string): Promise<OriginValue | null> => {
    // TODO: in a fleet, another instance's "not found" may already be in deps.store.
    const value = await origin.fetch(key);
    if (value === null) {
      // TODO: remember the "not found" for deps.negativeTtlMs (and in deps.store, with a PX).
      return null;
    }
    cache.set(key, value, ttlMs);
    return value;
  };

  return {
    async get(key) {
      const hit = cache.get(key) as OriginValue | undefined;
      if (hit !== undefined) return hit;
      // TODO: a live negative entry answers null without asking the origin.
      return flight.do(key, () => load(key));
    },
    async created(_key) {
      // TODO: the key exists now: drop its negative entry (here, and in deps.store).
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
 * Optional part: a Bloom filter of `ids` (bloom-filters is installed: BloomFilter.create), with
 * room for `capacity` ids in all and the configured false positive rate. Delete this export to
 * skip the part.
 */
export function createIdFilter(_options: { ids: readonly string[]; capacity: number; falsePositiveRate: number }): IdFilter {
  // TODO: a real filter; this one says "may exist" for everything.
  return { add: () => undefined, mightExist: () => true };
}
