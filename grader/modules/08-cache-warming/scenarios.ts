/**
 * Module 08's settings and scenarios. One catalogue of 5,000 keys read Zipf-skewed (exponent
 * 1.2: the top 600 keys take about 90% of reads) at 1,000 reads a second across 4 instances. The
 * origin is sized for a warm tier: 6 query slots of 20-30 ms (about 240 queries a second at
 * most) and a 300 ms timeout, while a warm tier sends it about 10 a second and a cold one 800.
 */
import type { ScenarioSpec } from '@herd/harness/engine';

export const KEYS = { count: 5000, exponent: 1.2, prefix: 'k' } as const;
export const LIVE_RATE = 1000;
export const ORIGIN = { latencyMs: 20, jitterMs: 10, capacity: 6, timeoutMs: 300 } as const;
/** How long a value lives in either tier: longer than any run, so nothing warmed expires in it. */
export const TTL_MS = 300_000;
/**
 * The old tier's values live this long: its steady state sends the origin about 40 misses a
 * second, live reads that queue behind warming if warming takes their slots.
 */
export const OLD_TTL_MS = 60_000;
/** Warming and the gate start here, once live traffic has filled the shadow sample. */
export const START_MS = 1000;
/**
 * Long enough for the gate to open (6-10 s), the 3 s after the cutover the checks read, and a
 * lagging gate to show its lag (the hit rate on the latest keys holds 0.9 for a second near 15 s).
 */
export const DURATION_MS = 20_000;
/** The stale-log run: re-warmed at 12 s, so its gate opens at 14-16 s. */
export const STALE_DURATION_MS = 19_000;
/** The slow-origin run: its gate opens at 10-14 s. */
export const SLOW_DURATION_MS = 20_000;

/** The settings the learner's code is handed. */
export const WARM = {
  /** Reads in the access-log sample. */
  logSize: 20_000,
  /** Share of the origin's slots warming may take: 6 x 0.35 = 2.1, so 2 queries at once. */
  warmShare: 0.35,
  threshold: 0.9,
  checkEveryMs: 500,
  /** Keys of the latest live reads in one shadow sample. */
  sampleSize: 200,
} as const;

/** A read of the live path that failed at the origin is tried once more this much later. */
export const RETRY_AFTER_MS = 50;

/** The log is yesterday's when the hot set moved: every key's rank shifted by this. */
export const STALE_SHIFT = 300;
/** In the stale-log scenario, the operator warms again from today's log at this time. */
export const REWARM_AT_MS = 12_000;
/** The slow-origin scenario: every query this many times slower until SLOW_UNTIL_MS (warming runs late). */
export const SLOW_FACTOR = 3;
export const SLOW_UNTIL_MS = 10_000;

export function staleSpec(seed: number): ScenarioSpec {
  return { ...cutoverSpec(seed, 'cutover from a stale log'), load: { kind: 'open', ratePerSec: GATE_RATE, arrivals: 'poisson' }, durationMs: STALE_DURATION_MS };
}

export function cutoverSpec(seed: number, name = 'cutover to a new tier'): ScenarioSpec {
  return {
    name,
    seed,
    durationMs: DURATION_MS,
    instances: 4,
    ttlMs: TTL_MS,
    origin: { ...ORIGIN },
    keys: { kind: 'zipf', ...KEYS },
    load: { kind: 'open', ratePerSec: LIVE_RATE, arrivals: 'poisson' },
    graceMs: 5000,
  };
}

/**
 * The stale-log night runs at a quarter of the live rate: what it tests is when the gate opens,
 * which the shadow sample (the latest 200 keys, 0.8 s of reads here) decides as well at 250 reads
 * a second as at 1,000 (measured: it opens at 13.5-15.5 s either way), for a quarter of the events.
 * The slow-origin night keeps the full rate: there live misses share the slowed origin with
 * warming, and that is part of why warming runs late.
 */
export const GATE_RATE = LIVE_RATE / 4;

export function slowSpec(seed: number): ScenarioSpec {
  return {
    ...cutoverSpec(seed, `cutover, origin x${SLOW_FACTOR} slower to ${SLOW_UNTIL_MS / 1000} s`),
    durationMs: SLOW_DURATION_MS,
    originFaults: [{ kind: 'slow', fromMs: 0, toMs: SLOW_UNTIL_MS, factor: SLOW_FACTOR }],
  };
}

/**
 * Origin settings changed far from the defaults (capacity 48 at a 10% share: 4.8 slots, so 4;
 * capacity 6 at 10%: 0.6 slots, so the floor is 0 and the limit 1): the limit must follow deps,
 * round down, and never be 0.
 */
export const SETTINGS = [
  { capacity: 48, warmShare: 0.1, slots: 4 },
  { capacity: 6, warmShare: 0.1, slots: 1 },
] as const;

/**
 * Warming on its own: a read a second of live traffic, so the origin's log is warming's and a
 * run costs its warming queries only. For what the warmer alone decides (its limit, its order,
 * its failures, its time), where live traffic would only add events.
 */
export function aloneSpec(seed: number, name: string, capacity: number, durationMs: number): ScenarioSpec {
  const spec = cutoverSpec(seed, name);
  return { ...spec, durationMs, origin: { ...ORIGIN, capacity }, load: { kind: 'open', ratePerSec: 1, arrivals: 'poisson' } };
}

/** The settings runs: the 48-slot one long enough for two warms back to back (about 13 s each). */
export function settingsSpec(seed: number, capacity: number): ScenarioSpec {
  return aloneSpec(seed, `warming alone, origin capacity ${capacity}`, capacity, capacity > ORIGIN.capacity ? 30_000 : 8_000);
}
