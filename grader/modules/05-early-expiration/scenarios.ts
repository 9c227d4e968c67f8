/** Module 05's settings and the scenarios only it runs. */
import type { ScenarioSpec } from '@herd/harness/engine';
import { hotKey } from '../../src/scenarios.js';

/** XFetch's beta when nothing says otherwise: the paper's default. */
export const BETA = 1;

/** The origin gets this many times slower from SLOW_FROM_MS to the end of the run. */
export const SLOWDOWN = { fromMs: 30_000, factor: 4 } as const;

/**
 * The hot key, with the origin 4 times slower for the second half of the minute: a recompute that
 * took 200 ms now takes 800 ms, so a cache that measures delta should start its recomputes earlier.
 */
export function slowingOrigin(seed: number): ScenarioSpec {
  const spec = hotKey(seed);
  return {
    ...spec,
    name: 'hot-key, origin x4 slower from 30 s',
    originFaults: [{ kind: 'slow', fromMs: SLOWDOWN.fromMs, toMs: spec.durationMs, factor: SLOWDOWN.factor }],
  };
}

/**
 * A hot head and a cold tail in one minute: 200 requests a second over 400 keys, Zipf-skewed
 * (exponent 1.5), Poisson arrivals. The top key gets about 80 reads a second; keys around rank 100
 * get about one read per 10 s TTL. The same cache, the same minute: where does XFetch help?
 */
export function hotAndCold(seed: number): ScenarioSpec {
  return {
    name: 'hot head, cold tail',
    seed,
    durationMs: 60_000,
    ttlMs: 10_000,
    origin: { latencyMs: 200, jitterMs: 20, capacity: 16 },
    keys: { kind: 'zipf', count: 400, exponent: 1.5, prefix: 'k' },
    load: { kind: 'open', ratePerSec: 200, arrivals: 'poisson' },
  };
}

/** Reads per TTL that make a key cold here: about one read per TTL (0.5 to 2). */
export const COLD = { min: 0.5, max: 2 } as const;

/**
 * The fleet check on a real Redis, in real time, kept short: 4 instances, a 1 s TTL, a 50 ms
 * origin and 300 requests a second across the fleet (fixed spacing) for 3.5 s: the cold start
 * and three expiries, each about 15 reads deep in the last delta before it.
 */
export const REDIS = { durationMs: 3500, ttlMs: 1000, origin: { latencyMs: 50 }, ratePerSec: 300 } as const;

export function redisFleet(seed: number): ScenarioSpec {
  return {
    name: 'redis xfetch fleet x4',
    seed,
    durationMs: REDIS.durationMs,
    instances: 4,
    ttlMs: REDIS.ttlMs,
    origin: { ...REDIS.origin },
    keys: { kind: 'hot', key: 'home' },
    load: { kind: 'open', ratePerSec: REDIS.ratePerSec },
  };
}
