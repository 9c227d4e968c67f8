/**
 * Module 06's settings and scenarios: a catalogue of 2,000 keys written by one batch job in one
 * instant, read steadily (uniformly over the keys, Poisson arrivals) at a rate the origin could
 * not absorb if every key missed at once.
 */
import type { ScenarioSpec } from '@herd/harness/engine';

/** The jitter's half-width as a share of the TTL, handed to the cache as deps.jitter. */
export const JITTER = 0.2;

/** The catalogue: how many keys, and their names (item0 .. item1999). */
export const CATALOGUE = { keys: 2000, prefix: 'item' } as const;
export const catalogueKeys = (count: number = CATALOGUE.keys): string[] => Array.from({ length: count }, (_, i) => `${CATALOGUE.prefix}${i}`);

/**
 * The origin: 50 ms a query plus up to 10, 40 at once, so about 730 queries a second at most.
 * The catalogue's readers miss about 1,250 times in the first second when every key expires
 * together (the queue grows to nearly a second), and at most 2,000 / (2 x 0.2 x 8 s) = 625 a
 * second when the expiries are spread over the jitter's window.
 */
export const CATALOGUE_ORIGIN = { latencyMs: 50, jitterMs: 10, capacity: 40 } as const;

/** A scenario with the batch job's writes: the whole catalogue at each of `batchesAtMs`. */
export interface CatalogueSpec extends ScenarioSpec {
  catalogue: { keys: readonly string[]; batchesAtMs: readonly number[] };
}

export interface CatalogueOptions {
  /** Default BATCHES. */
  batchesAtMs?: readonly number[];
  durationMs?: number;
  ttlMs?: number;
  name?: string;
}

/**
 * An 8 s TTL; 2,000 reads a second over the 2,000 keys (one a second per key, so a key is read
 * a second after it expires, on average); the batch job rewrites the whole catalogue every 12 s
 * (at 0, 12 and 24 s), after the last wave's refetches have settled and before any refetched
 * value (written 6.4 s or later, for 6.4 s or more) expires: three batches, three expiry waves,
 * 36 s of load, 72,000 requests (a fifth of a second a run).
 */
export const CATALOGUE_RUN = { ttlMs: 8000, durationMs: 36_000, ratePerSec: 2000, batchEveryMs: 12_000, batches: 3, tickMs: 10 } as const;
export const BATCHES: readonly number[] = Array.from({ length: CATALOGUE_RUN.batches }, (_, i) => i * CATALOGUE_RUN.batchEveryMs);

export function catalogue(seed: number, options: CatalogueOptions = {}): CatalogueSpec {
  const keys = catalogueKeys();
  return {
    name: options.name ?? 'catalogue',
    seed,
    durationMs: options.durationMs ?? CATALOGUE_RUN.durationMs,
    ttlMs: options.ttlMs ?? CATALOGUE_RUN.ttlMs,
    origin: { ...CATALOGUE_ORIGIN },
    keys: { kind: 'list', keys },
    // The first read comes just after the batch's writes, which all land at t=0.
    load: { kind: 'open', ratePerSec: CATALOGUE_RUN.ratePerSec, arrivals: 'poisson', startMs: 1, tickMs: CATALOGUE_RUN.tickMs },
    catalogue: { keys, batchesAtMs: options.batchesAtMs ?? BATCHES },
  };
}

/**
 * The origin down for a second in the middle of the first wave (7 to 8 s, the wave runs 6.4 to
 * 9.6 s): every query in that second fails. A failed query must leave nothing in the cache, so
 * the next read of the key asks again; from a second after the outage every request succeeds.
 */
export const OUTAGE = { fromMs: 7000, toMs: 8000, settleMs: 1000, durationMs: 11_000 } as const;

export function outage(seed: number): CatalogueSpec {
  return {
    ...catalogue(seed, { batchesAtMs: [0], durationMs: OUTAGE.durationMs, name: 'catalogue, origin down mid-wave' }),
    originFaults: [{ kind: 'down', fromMs: OUTAGE.fromMs, toMs: OUTAGE.toMs }],
  };
}
