/**
 * Module 05, reference: XFetch (Vattani, Chierichetti and Lowenstein, "Optimal Probabilistic
 * Cache Stampede Prevention", PVLDB 2015). The store keeps each value with the time its last
 * recompute took (delta) and its expiry. Every read draws once: the closer the expiry, and the
 * slower the recompute, the likelier this read starts a recompute early, in the background,
 * while every reader keeps getting the cached value. Expiry is never reached on a key read
 * often enough.
 */
import type { AppDeps, OriginValue, ReadThrough, Rng, SharedStore } from '@herd/harness';

export type XFetchDeps = AppDeps & {
  /** The store the whole fleet shares: values live here with their delta and expiry. */
  store: SharedStore;
  /** Module 02's single flight (the reference, injected): one recompute per key per process. */
  singleFlight: () => { do<T>(key: string, fn: () => Promise<T>): Promise<T> };
  /** How eager early recomputes are: 1 is the paper's default, above 1 earlier, 0 never early. */
  beta?: number;
};

/** What the store holds for a key. */
export interface XFetchEntry {
  value: OriginValue | null;
  /** How long the recompute that produced `value` took, ms. */
  delta: number;
  /** When `value` expires, ms on deps.clock. */
  expiry: number;
}

export interface EarlyDecision {
  now: number;
  expiry: number;
  delta: number;
  beta: number;
  /**
   * Where the draw comes from: deps.rng in the cache, a whole Rng. next() is in [0, 1);
   * exponential(mean) draws -ln(1 - next()) x mean, the head start in one call.
   */
  rng: Rng;
}

/** XFetch's rule: recompute now when now - delta * beta * ln(rand) >= expiry, rand in (0, 1]. */
export function shouldRecomputeEarly({ now, expiry, delta, beta, rng }: EarlyDecision): boolean {
  // next() is in [0, 1); 1 - next() is in (0, 1]. A rand of 0 would make ln(rand) -Infinity,
  // and the read would recompute however far the expiry is.
  const rand = 1 - rng.next();
  return now - delta * beta * Math.log(rand) >= expiry;
}

export function createXFetchCache(deps: XFetchDeps): ReadThrough {
  const { store, clock, rng, origin, ttlMs } = deps;
  const beta = deps.beta ?? 1;
  const flight = deps.singleFlight();

  /** Recomputes the value, measures how long that took, and stores both with the new expiry. */
  const recompute = (key: string): Promise<OriginValue | null> =>
    flight.do(key, async () => {
      const started = clock.now();
      const value = await origin.fetch(key);
      const now = clock.now();
      const entry: XFetchEntry = { value, delta: now - started, expiry: now + ttlMs };
      await store.set(key, JSON.stringify(entry), ttlMs);
      return value;
    });

  return {
    async get(key) {
      const raw = await store.get(key);
      if (raw === null) return recompute(key);
      const entry = JSON.parse(raw) as XFetchEntry;
      if (shouldRecomputeEarly({ now: clock.now(), expiry: entry.expiry, delta: entry.delta, beta, rng })) {
        // Not awaited: this reader gets the cached value like everyone else. A failed early
        // recompute costs nothing; the value is still cached and a later read tries again.
        recompute(key).catch(() => undefined);
      }
      return entry.value;
    },
  };
}
