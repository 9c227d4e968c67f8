/**
 * A shared store whose GETs count as cache reads in the run's report. The in-process caches
 * count their own hits and misses; a cache that lives in the shared store (module 03 on) is
 * invisible to the runner without this, and its miss rate would read 0%.
 */
import type { SharedStore } from './shared-store.js';

/** Anything that takes read counts: a run's FleetContext. */
export interface ReadCounter {
  recordRead(key: string, hit: boolean): void;
}

/** The same store, with every `get(name)` reported to `counter` as a hit (a value) or a miss (null). */
export function countReads(store: SharedStore, counter: ReadCounter): SharedStore {
  return {
    ...store,
    async get(name) {
      const value = await store.get(name);
      counter.recordRead(name, value !== null);
      return value;
    },
  };
}
