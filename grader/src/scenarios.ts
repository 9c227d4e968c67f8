/**
 * Scenarios more than one module uses. One definition each, so "identical load" is literally the
 * same spec. A scenario only one module uses lives in that module's folder.
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
 * A fleet on one hot key: 4 instances x 250 closed-loop clients (1000 in all), the hot origin, a
 * 10 s TTL, a minute of load. Per-process coalescing leaves one query per instance per boundary.
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
