/**
 * The fixed scenarios the checks, demos, before/after tables and results share. One definition
 * each, so "identical load" is literally the same spec.
 */
import type { ScenarioSpec } from '@herd/harness/engine';

/** Origin for the hot-key scenario: 200 ms plus up to 20 ms, 16 queries served at once. */
export const HOT_ORIGIN = { latencyMs: 200, jitterMs: 20, capacity: 16 } as const;

/**
 * One hot key, 500 closed-loop clients thinking 1-2 s (about 330 requests a second), a 10 s TTL,
 * a minute of load: six TTL boundaries. Spread over `instances` app instances.
 */
export function hotKey(seed: number, instances = 1): ScenarioSpec {
  return {
    name: instances === 1 ? 'hot-key' : `hot-key x${instances}`,
    seed,
    durationMs: 60_000,
    instances,
    ttlMs: 10_000,
    origin: { ...HOT_ORIGIN },
    keys: { kind: 'hot', key: 'home' },
    load: { kind: 'closed', clients: 500, thinkMs: [1000, 2000] },
  };
}

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

/**
 * Module 03's fleet: 4 instances x 250 closed-loop clients (1000 in all) on one hot key, the hot
 * origin, a 10 s TTL, a minute of load. Per-process coalescing leaves one query per instance.
 */
export function fleetHotKey(seed: number): ScenarioSpec {
  return {
    name: 'fleet hot-key x4',
    seed,
    durationMs: 60_000,
    instances: 4,
    ttlMs: 10_000,
    origin: { ...HOT_ORIGIN },
    keys: { kind: 'hot', key: 'home' },
    load: { kind: 'closed', clients: 1000, thinkMs: [1000, 2000] },
  };
}

/** Module 03's lock settings: how long a lock lives, how long a waiter waits, how often it polls. */
export interface LockOptions {
  /** Lock expiry (PX), ms: how long a crashed holder blocks everyone else. */
  pxMs: number;
  /** A waiter gives up after this long with LOCK_WAIT_TIMEOUT. */
  maxWaitMs: number;
  /** Base poll interval while waiting, ms. */
  pollMs: number;
}

/** The lock every module 03 run uses unless a check says otherwise. */
export const LOCK: Readonly<LockOptions> = { pxMs: 1000, maxWaitMs: 5000, pollMs: 20 };

/**
 * Bursts for the runs in real time (Redis, real processes): `count` bursts of `size` requests per
 * instance, `everyMs` apart, each spread over `spreadMs`, against a TTL of `ttlMs`, so every burst
 * meets an expired key with a second of margin on a busy machine.
 */
export const BURSTS = { count: 3, size: 50, startMs: 50, everyMs: 1500, spreadMs: 100, ttlMs: 1000, origin: { latencyMs: 100 } } as const;

/** Module 03's Redis check, in real time: BURSTS on 4 instances in one process. */
export function redisBursts(seed: number): ScenarioSpec {
  const { size, startMs, everyMs, spreadMs, ttlMs, origin, count } = BURSTS;
  return {
    name: 'redis bursts x4',
    seed,
    // Ends after the last burst starts and before another would.
    durationMs: count * everyMs,
    instances: 4,
    ttlMs,
    origin: { ...origin },
    keys: { kind: 'hot', key: 'home' },
    load: { kind: 'burst', size, startMs, everyMs, spreadMs },
  };
}
