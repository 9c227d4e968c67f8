/** Module 04's settings: soft and hard expiry, the refresh claim, the retry interval, and its scenarios. */
import type { ScenarioSpec } from '@herd/harness/engine';
import { fleetHotKey } from '../../src/scenarios.js';

/** What deps.swr carries. */
export interface SwrOptions {
  /** A value is fresh this long after it was written (the scenario's TTL). */
  softTtlMs: number;
  /** ... and may be served, stale, until this long after it was written: the store's PX. */
  hardTtlMs: number;
  /** The refresh claim's expiry: how long a refresher that died blocks the next refresh. */
  claimMs: number;
  /** After a failed refresh, the next attempt comes no sooner than this. */
  retryMs: number;
}

/** The settings every fleet run uses, with the scenario's TTL as the soft TTL. */
export const SWR: Readonly<Omit<SwrOptions, 'softTtlMs'>> = { hardTtlMs: 30_000, claimMs: 2000, retryMs: 1000 };

/** The origin is down for 20 s: from 15 s, five seconds into the second fresh period, to 35 s, five seconds before the hard expiry of the last good value. */
export const OUTAGE = { fromMs: 15_000, toMs: 35_000 } as const;

/** The fleet hot-key load of module 03 with the origin down for OUTAGE. */
export function fleetOutage(seed: number): ScenarioSpec {
  return { ...fleetHotKey(seed), name: 'fleet hot-key x4, origin down 15-35 s', originFaults: [{ kind: 'down', ...OUTAGE }] };
}

/**
 * The Redis check in real time, kept short: a 200 ms soft TTL, a 50 ms origin and a burst of 5
 * requests per instance every 40 ms for 0.7 s: the cold start and two soft expiries.
 */
export const REDIS = { durationMs: 700, softTtlMs: 200, origin: { latencyMs: 50 }, swr: { hardTtlMs: 3000, claimMs: 1000, retryMs: 200 } } as const;

export function redisBursts(seed: number): ScenarioSpec {
  return {
    name: 'redis swr bursts x4',
    seed,
    durationMs: REDIS.durationMs,
    instances: 4,
    ttlMs: REDIS.softTtlMs,
    origin: { ...REDIS.origin },
    keys: { kind: 'hot', key: 'home' },
    load: { kind: 'burst', size: 5, startMs: 20, everyMs: 40, spreadMs: 30 },
  };
}
