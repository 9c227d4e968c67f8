import { describe, expect, it } from 'vitest';
import type { Clock } from './clock.js';
import { createMemoryCache } from './memory-cache.js';
import { createRng } from './rng.js';

/** A clock the test moves by hand. */
function manualClock(): Clock & { set(t: number): void } {
  let t = 0;
  return { now: () => t, sleep: () => Promise.resolve(), set: (v) => void (t = v) };
}

describe('createMemoryCache', () => {
  it('returns a value until just before expiresAt and misses at exactly expiresAt', () => {
    const clock = manualClock();
    const cache = createMemoryCache<string>(clock);
    clock.set(1000);
    cache.set('k', 'v', 500);
    expect(cache.peek('k')).toEqual({ value: 'v', expiresAt: 1500 });
    clock.set(1499.999);
    expect(cache.get('k')).toBe('v');
    clock.set(1500);
    expect(cache.peek('k')).toBeUndefined();
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('replaces an entry and its expiry on set', () => {
    const clock = manualClock();
    const cache = createMemoryCache<number>(clock);
    cache.set('k', 1, 100);
    clock.set(50);
    cache.set('k', 2, 100);
    clock.set(120);
    expect(cache.get('k')).toBe(2);
    expect(cache.size).toBe(1);
  });

  it('evicts the least recently used entry; a hit refreshes recency, peek does not', () => {
    const clock = manualClock();
    const cache = createMemoryCache<number>(clock, { maxEntries: 3 });
    cache.set('a', 1, 1e9);
    cache.set('b', 2, 1e9);
    cache.set('c', 3, 1e9);
    expect(cache.get('a')).toBe(1); // order now b, c, a
    expect(cache.peek('b')?.value).toBe(2); // no effect on order
    cache.set('d', 4, 1e9); // evicts b
    expect(cache.peek('b')).toBeUndefined();
    expect(cache.size).toBe(3);
    cache.set('c', 30, 1e9); // re-set moves c to the end: order a, d, c
    cache.set('e', 5, 1e9); // evicts a
    expect(cache.peek('a')).toBeUndefined();
    expect(['c', 'd', 'e'].map((k) => cache.peek(k)?.value)).toEqual([30, 4, 5]);
    expect(cache.stats().evictions).toBe(2);
  });

  it('counts hits, misses, sets and evictions; stats() is a copy', () => {
    const clock = manualClock();
    const cache = createMemoryCache<number>(clock, { maxEntries: 1 });
    expect(cache.get('x')).toBeUndefined();
    cache.set('x', 1, 10);
    expect(cache.get('x')).toBe(1);
    expect(cache.get('x')).toBe(1);
    cache.set('y', 2, 10);
    expect(cache.get('x')).toBeUndefined();
    cache.peek('y');
    const s = cache.stats();
    expect(s).toEqual({ hits: 2, misses: 2, sets: 2, evictions: 1 });
    s.hits = 99;
    expect(cache.stats().hits).toBe(2);
  });

  it('calls onMiss with the key and clock time on every miss, including expiry', () => {
    const clock = manualClock();
    const missed: Array<[string, number]> = [];
    const cache = createMemoryCache(clock, { onMiss: (k, at) => missed.push([k, at]) });
    clock.set(10);
    cache.get('a');
    cache.set('a', 'v', 5);
    cache.get('a');
    clock.set(15);
    cache.get('a');
    expect(missed).toEqual([
      ['a', 10],
      ['a', 15],
    ]);
  });

  it('delete removes an entry', () => {
    const cache = createMemoryCache(manualClock());
    cache.set('a', 1, 100);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    expect(cache.get('a')).toBeUndefined();
  });

  it('evicts exactly what a plain LRU would, over a long random mix of gets, sets, deletes and expiries', () => {
    // The cache skips re-inserting a key that is already the most recent; a model that always
    // re-inserts must agree with it on every answer and every eviction.
    const clock = manualClock();
    const cache = createMemoryCache<number>(clock, { maxEntries: 4 });
    const model = new Map<string, { value: number; expiresAt: number }>();
    const rng = createRng(2024);
    for (let step = 0; step < 20_000; step++) {
      clock.set(step);
      const key = `k${rng.int(0, 6)}`;
      const op = rng.int(0, 9);
      if (op < 6) {
        const e = model.get(key);
        const live = e !== undefined && e.expiresAt > step ? e : undefined;
        if (e !== undefined) model.delete(key);
        if (live !== undefined) model.set(key, live);
        expect(cache.get(key), `step ${step}: get(${key})`).toBe(live?.value);
      } else if (op < 9) {
        model.delete(key);
        model.set(key, { value: step, expiresAt: step + rng.int(1, 40) });
        while (model.size > 4) model.delete(model.keys().next().value as string);
        cache.set(key, step, model.get(key)!.expiresAt - step);
      } else {
        expect(cache.delete(key), `step ${step}: delete(${key})`).toBe(model.delete(key));
      }
      expect(cache.size, `step ${step}: size`).toBe(model.size);
    }
  });
});
