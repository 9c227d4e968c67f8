/**
 * Module 01: stampede.
 *
 * Goal: build the naive cache-aside read path that every later module improves on, and
 * instrument it. get(key) looks in the in-process cache and, on a miss, fetches from the origin
 * and stores the value for deps.ttlMs. stats() reports what your cache saw: requests, misses and
 * the p99 latency of get(), measured with deps.clock (never Date.now).
 *
 * Run `pnpm grade 01` to see the herd this produces; `pnpm hint 01` if you are stuck.
 */
// percentile(values, 99) is the nearest-rank p99 the grader uses too.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
import { percentile, type AppDeps, type OriginValue } from '@herd/harness';

export interface NaiveCacheStats {
  requests: number;
  misses: number;
  p99Ms: number;
}

export function createNaiveCache(deps: AppDeps) {
  const { clock, origin } = deps;
  const latencies: number[] = [];

  return {
    async get(key: string): Promise<OriginValue | null> {
      const start = clock.now();
      // TODO: look in deps.cache first; return a hit without touching the origin.
      const value = await origin.fetch(key);
      // TODO: on a miss, store the value in deps.cache for deps.ttlMs.
      // TODO: count requests and misses, and record this call's latency in `latencies`.
      void start;
      return value;
    },

    stats(): NaiveCacheStats {
      // TODO: report your counters and percentile(latencies, 99).
      return { requests: 0, misses: 0, p99Ms: 0 };
    },
  };
}
