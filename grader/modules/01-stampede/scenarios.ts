/**
 * Module 01's own scenarios, besides the shared hot key (grader/src/scenarios.ts): other TTLs, a
 * key the origin does not have, an origin that fails, and steady arrivals for the prediction.
 */
import type { ScenarioSpec } from '@herd/harness/engine';
import { HOT_ORIGIN } from '../../src/scenarios.js';

/** The key the origin does not have: its queries cost a rebuild and resolve to null. */
export const ABSENT_KEY = 'gone';
/** The key that exists, read as often as the absent one. */
export const PRESENT_KEY = 'home';
const absent = (key: string): boolean => key === ABSENT_KEY;

/**
 * The TTLs `ttl honoured` runs besides the hot key's 10 s: one shorter, one longer, so a TTL
 * written as a constant (the hot key's 10 s or any other) is wrong in at least two of the three.
 */
export const OTHER_TTLS = [
  { ttlMs: 2_500, durationMs: 25_000 },
  { ttlMs: 25_000, durationMs: 60_000 },
] as const;

/**
 * One hot key read by 100 closed-loop clients (about 67 reads a second, dense enough that some
 * read lands within a few ms of every expiry), a 50 ms origin, and a TTL of `ttlMs`.
 */
export function ttlRun(seed: number, ttlMs: number, durationMs: number): ScenarioSpec {
  return {
    name: `hot key, TTL ${ttlMs / 1000} s`,
    seed,
    durationMs,
    ttlMs,
    origin: { latencyMs: 50, jitterMs: 10, capacity: 16 },
    keys: { kind: 'hot', key: PRESENT_KEY },
    load: { kind: 'closed', clients: 100, thinkMs: [1000, 2000] },
  };
}

/**
 * Two keys read equally often by 200 clients, one of which the origin does not have (it answers
 * null): a null is a value, so the absent key should cost the origin no more than the present one.
 */
export function absentKey(seed: number): ScenarioSpec {
  return {
    name: `"${PRESENT_KEY}" and absent "${ABSENT_KEY}"`,
    seed,
    durationMs: 30_000,
    ttlMs: 5_000,
    origin: { ...HOT_ORIGIN, absent },
    keys: { kind: 'list', keys: [PRESENT_KEY, ABSENT_KEY] },
    load: { kind: 'closed', clients: 200, thinkMs: [1000, 2000] },
  };
}

/**
 * A slow spell around the first boundary after the cold start (10-11 s in on every seed): its
 * herd queues for seconds, so the slowest requests have 4 digits and the others 1 to 3, early in
 * the run (a p99 sorted as strings, or over the latest requests only, is off).
 */
export const STATS_SLOW = { kind: 'slow', fromMs: 9_000, toMs: 13_000, factor: 3 } as const;

/**
 * Every path a get() takes but failure, on two instances side by side: the hot key's hits and
 * herds, a key the origin does not have (null hits) read a quarter of the time, and a herd
 * queued behind a slow spell (STATS_SLOW).
 */
export function statsPaths(seed: number): ScenarioSpec {
  return {
    name: `hot key x2 with absent "${ABSENT_KEY}", slow spell`,
    seed,
    durationMs: 60_000,
    instances: 2,
    ttlMs: 10_000,
    origin: { ...HOT_ORIGIN, absent },
    keys: { kind: 'list', keys: [PRESENT_KEY, PRESENT_KEY, PRESENT_KEY, ABSENT_KEY] },
    load: { kind: 'closed', clients: 500, thinkMs: [1000, 2000] },
    originFaults: [STATS_SLOW],
  };
}

/**
 * The origin fault in `statsFailing`: 20 times slower for 6 s, from before the first TTL
 * boundary after the cold start (10-11 s in) until seconds after it, on every seed.
 */
export const STATS_FAULT = { kind: 'slow', fromMs: 9_000, toMs: 15_000, factor: 20 } as const;
/** Shorter than one slowed query (4 s): every query started in the fault fails, after exactly this long. */
export const STATS_TIMEOUT_MS = 2_500;

/**
 * The failure path: `statsPaths` for 20 s, 300 clients, with a slow origin whose queries time out
 * (ORIGIN_TIMEOUT after 2.5 s) around a boundary, so the slowest requests of the run (12-20% of
 * them) are the ones that failed.
 */
export function statsFailing(seed: number): ScenarioSpec {
  return {
    ...statsPaths(seed),
    name: `hot key x2 with absent "${ABSENT_KEY}", timeouts`,
    durationMs: 20_000,
    origin: { ...HOT_ORIGIN, absent, timeoutMs: STATS_TIMEOUT_MS },
    load: { kind: 'closed', clients: 300, thinkMs: [1000, 2000] },
    originFaults: [STATS_FAULT],
  };
}

/**
 * Rates and rebuild times at which no arrival coincides with the moment a rebuild lands, so the
 * herd is exactly the arrivals inside one rebuild: ratePerSec x rebuildMs / 1000, rounded up.
 * 300/s and 1200/s do not divide 1000 ms evenly, so a prediction that rounds the gap between
 * arrivals to whole ms is off there.
 */
export const PREDICTION_GRID = [
  { ratePerSec: 50, rebuildMs: 110 },
  { ratePerSec: 50, rebuildMs: 330 },
  { ratePerSec: 200, rebuildMs: 107 },
  { ratePerSec: 200, rebuildMs: 307 },
  { ratePerSec: 300, rebuildMs: 105 },
  { ratePerSec: 300, rebuildMs: 305 },
  { ratePerSec: 500, rebuildMs: 101 },
  { ratePerSec: 500, rebuildMs: 303 },
  { ratePerSec: 1200, rebuildMs: 101 },
] as const;

/**
 * Steady arrivals at `ratePerSec`, a rebuild of exactly `rebuildMs` (no jitter, no queueing):
 * the setting in which a herd's size can be predicted from first principles.
 */
export function steadyArrivals(ratePerSec: number, rebuildMs: number, seed = 1): ScenarioSpec {
  return {
    name: `steady ${ratePerSec}/s, rebuild ${rebuildMs} ms`,
    seed,
    durationMs: 7_000,
    ttlMs: 3_000,
    origin: { latencyMs: rebuildMs },
    keys: { kind: 'hot', key: 'home' },
    load: { kind: 'open', ratePerSec, arrivals: 'fixed', startMs: 0.5 },
  };
}
