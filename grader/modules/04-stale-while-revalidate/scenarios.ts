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
  /** After a failed refresh, the fleet's next attempt comes this long after the failure: not sooner, not later. */
  retryMs: number;
}

/** The settings every fleet run uses, with the scenario's TTL as the soft TTL. */
export const SWR: Readonly<Omit<SwrOptions, 'softTtlMs'>> = { hardTtlMs: 30_000, claimMs: 2000, retryMs: 1000 };

/**
 * The origin 6x slower from 25 s to 45 s in the checks' fleet run: a refresh takes 1.2-1.3 s
 * there, longer than retryMs and shorter than claimMs, so a claim that lives retryMs lapses
 * under a refresh that is still running.
 */
export const SLOW = { fromMs: 25_000, toMs: 45_000, factor: 6 } as const;

/** Module 03's fleet hot-key load with the origin slower for SLOW: the checks' main fleet run. */
export function fleetSlowPatch(seed: number): ScenarioSpec {
  return { ...fleetHotKey(seed), name: 'fleet hot-key x4, origin 6x slower 25-45 s', originFaults: [{ kind: 'slow', ...SLOW }] };
}

/** Eight keys the fleet reads alike: they are cold-filled together, so they go stale together. */
export const KEYS = Array.from({ length: 8 }, (_, i) => `page-${i + 1}`);

/** The same fleet and load over KEYS, for 22 s: the cold start and two soft expiries of each key. */
export function fleetKeys(seed: number): ScenarioSpec {
  return { ...fleetHotKey(seed), name: 'fleet x4, 8 keys', durationMs: 22_000, keys: { kind: 'list', keys: KEYS } };
}

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
export const REDIS = { durationMs: 700, softTtlMs: 200, origin: { latencyMs: 50 }, swr: { hardTtlMs: 3000, claimMs: 1000, retryMs: 200 }, SETTLE_MS: 500 } as const;

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
