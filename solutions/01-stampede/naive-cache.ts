/**
 * Module 01, reference: naive cache-aside with its own instrumentation. Every concurrent miss
 * goes to the origin: this is the herd the rest of the course tames.
 */
import { percentile, type AppDeps, type OriginValue } from '@herd/harness';

export interface NaiveCacheStats {
  requests: number;
  misses: number;
  p99Ms: number;
}

export function createNaiveCache(deps: AppDeps) {
  const { cache, clock, origin, ttlMs } = deps;
  let requests = 0;
  let misses = 0;
  const latencies: number[] = [];

  return {
    async get(key: string): Promise<OriginValue | null> {
      const start = clock.now();
      requests++;
      try {
        const hit = cache.get(key) as OriginValue | null | undefined;
        if (hit !== undefined) return hit;
        misses++;
        const value = await origin.fetch(key);
        cache.set(key, value, ttlMs);
        return value;
      } finally {
        latencies.push(clock.now() - start);
      }
    },

    stats(): NaiveCacheStats {
      return { requests, misses, p99Ms: percentile(latencies, 99) };
    },
  };
}
