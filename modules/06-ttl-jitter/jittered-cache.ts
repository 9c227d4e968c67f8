/**
 * Module 06: TTL jitter.
 *
 * Goal: a catalogue written in one instant must not expire in one instant. A batch job writes
 * all 2,000 keys at once through write(); today every key gets the same TTL, so every key expires
 * in the same second, every reader misses at once, and the origin's queue overflows. Give every
 * write its own TTL, drawn uniformly from [ttlMs x (1 - jitter), ttlMs x (1 + jitter)] on
 * deps.rng: the expiries spread over a window 2 x jitter x ttlMs wide, the mean TTL stays ttlMs
 * (the origin does the same work in total) and no value outlives ttlMs x (1 + jitter).
 *
 * Run `pnpm grade 06`; `pnpm hint 06` if you are stuck.
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
  // TODO: draw from rng (rng.next() is uniform in [0, 1)) and return a TTL uniform in
  //       [ttlMs x (1 - jitter), ttlMs x (1 + jitter)]: its mean must stay ttlMs.
  void [jitter, rng];
  return ttlMs;
}

export function createJitteredCache(deps: JitterDeps): JitteredCache {
  const { cache, origin, ttlMs } = deps;
  const flight = deps.singleFlight();

  return {
    write(key, value) {
      // TODO: a TTL of its own for this write: jitteredTtl(ttlMs, deps.jitter, deps.rng).
      cache.set(key, value, ttlMs);
    },
    async get(key) {
      const hit = cache.get(key) as OriginValue | null | undefined;
      if (hit !== undefined) return hit;
      return flight.do(key, async () => {
        const value = await origin.fetch(key);
        // TODO: the same here, a fresh draw for every write: the key is being rewritten.
        cache.set(key, value, ttlMs);
        return value;
      });
    },
  };
}
