/**
 * Module 05: early expiration (XFetch).
 *
 * Goal: a hot key never expires in front of its readers. Today the value sits in the shared store
 * until its TTL runs out, and the next reads miss and wait for a recompute. XFetch recomputes
 * before that: every read draws a random number, and the closer the expiry (and the slower the
 * recompute), the likelier the read starts a recompute early, in the background, while every
 * reader keeps getting the cached value.
 *
 * Store each value with how long its recompute took (delta, measured on deps.clock) and when it
 * expires. On every read, recompute early when now - delta * beta * ln(rand) >= expiry, rand in
 * (0, 1] from deps.rng, beta from deps (1 when absent). Write that rule as shouldRecomputeEarly:
 * the grader checks its statistics on its own.
 *
 * Run `pnpm grade 05`; `pnpm hint 05` if you are stuck.
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

/** XFetch's rule: should this read, at `now`, recompute a value that expires at `expiry`? */
export function shouldRecomputeEarly({ now, expiry, delta, beta, rng }: EarlyDecision): boolean {
  // TODO: draw rand in (0, 1] from rng (rng.next() is in [0, 1): mind the 0), and return
  //       now - delta * beta * ln(rand) >= expiry.
  void [now, expiry, delta, beta, rng];
  return false;
}

export function createXFetchCache(deps: XFetchDeps): ReadThrough {
  const { store, clock, origin, ttlMs } = deps;
  const flight = deps.singleFlight();

  const recompute = (key: string): Promise<OriginValue | null> =>
    flight.do(key, async () => {
      // TODO: time the fetch on deps.clock: that is delta.
      const value = await origin.fetch(key);
      const now = clock.now();
      const entry: XFetchEntry = { value, delta: 0, expiry: now + ttlMs };
      await store.set(key, JSON.stringify(entry), ttlMs);
      return value;
    });

  return {
    async get(key) {
      const raw = await store.get(key);
      if (raw === null) return recompute(key);
      const entry = JSON.parse(raw) as XFetchEntry;
      // TODO: ask shouldRecomputeEarly (deps.rng, deps.beta ?? 1); when it says yes, start
      //       recompute(key) WITHOUT awaiting it (and catch its error), then return the cached value.
      return entry.value;
    },
  };
}
