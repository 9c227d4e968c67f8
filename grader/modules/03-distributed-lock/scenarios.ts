/** Module 03's settings: the lock, and the bursts of its runs in real time (Redis, real processes). */
import type { ScenarioSpec } from '@herd/harness/engine';
import { HOT_ORIGIN } from '../../src/scenarios.js';

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

/** The keys of fleetManyKeys the origin does not have: the hottest one, and a colder one. */
export const ABSENT_KEYS: ReadonlySet<string> = new Set(['k0', 'k9']);

/**
 * The fleet on 40 keys (Zipf): 4 instances x 50 clients, 30 s, the hot origin. The hottest key and
 * k9 do not exist (the origin answers null), and the coldest keys are read by an instance only
 * every few seconds, so a value one instance first reads late in its life is still within its TTL
 * only if it comes from the shared store, not from a local copy kept for a TTL of its own.
 */
export function fleetManyKeys(seed: number): ScenarioSpec {
  return {
    name: 'fleet many keys x4',
    seed,
    durationMs: 30_000,
    instances: 4,
    ttlMs: 10_000,
    origin: { ...HOT_ORIGIN, absent: (key) => ABSENT_KEYS.has(key) },
    keys: { kind: 'zipf', count: 40, prefix: 'k' },
    load: { kind: 'closed', clients: 200, thinkMs: [1000, 2000] },
  };
}
