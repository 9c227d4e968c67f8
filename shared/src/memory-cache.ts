/**
 * The in-process cache: one per app instance. Entries expire against the injected clock; the
 * cache holds at most `maxEntries` and evicts the least recently used. It counts its own hits and
 * misses, which is the harness's independent measurement of the miss rate.
 */
import type { Clock } from './clock.js';

export interface MemoryCacheOptions {
  maxEntries?: number;
  /** Called on every miss, with the clock time; the runner uses it to attribute misses to boundaries. */
  onMiss?: (key: string, at: number) => void;
}

export interface CacheStats {
  hits: number;
  misses: number;
  sets: number;
  evictions: number;
}

export interface MemoryCache<V = unknown> {
  /** The live value, or undefined (a miss; an expired entry is dropped). Counts a hit or a miss. */
  get(key: string): V | undefined;
  /** Stores `value` for `ttlMs` ms from now, replacing any entry. */
  set(key: string, value: V, ttlMs: number): void;
  delete(key: string): boolean;
  /** The live entry and its expiry, without counting or touching LRU order. */
  peek(key: string): { value: V; expiresAt: number } | undefined;
  readonly size: number;
  stats(): CacheStats;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

export function createMemoryCache<V = unknown>(clock: Clock, options: MemoryCacheOptions = {}): MemoryCache<V> {
  const maxEntries = options.maxEntries ?? 10_000;
  // Map iteration order is insertion order; a hit re-inserts, so the first key is the LRU one.
  const entries = new Map<string, Entry<V>>();
  // The key last moved to the end of `entries`, written by every set and every re-inserting hit,
  // the only operations that move a key to the end. A hit on it skips the delete-and-reinsert,
  // which on a hot key was the largest single cost of a million-request run. A deleted key can
  // only come back through set, which rewrites this, so deletes need not clear it.
  let newest: string | undefined;
  const stats: CacheStats = { hits: 0, misses: 0, sets: 0, evictions: 0 };

  const live = (key: string): Entry<V> | undefined => {
    const e = entries.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt <= clock.now()) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };

  return {
    get(key) {
      const e = live(key);
      if (e === undefined) {
        stats.misses++;
        options.onMiss?.(key, clock.now());
        return undefined;
      }
      stats.hits++;
      if (key !== newest) {
        entries.delete(key);
        entries.set(key, e);
        newest = key;
      }
      return e.value;
    },
    set(key, value, ttlMs) {
      stats.sets++;
      entries.delete(key);
      entries.set(key, { value, expiresAt: clock.now() + ttlMs });
      newest = key;
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
        stats.evictions++;
      }
    },
    delete: (key) => entries.delete(key),
    peek(key) {
      const e = entries.get(key);
      return e !== undefined && e.expiresAt > clock.now() ? { value: e.value, expiresAt: e.expiresAt } : undefined;
    },
    get size() {
      return entries.size;
    },
    stats: () => ({ ...stats }),
  };
}
