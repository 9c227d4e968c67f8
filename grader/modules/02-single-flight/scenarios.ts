/** Module 02's own scenarios: the hot key through a slow spell, and several keys at once. */
import type { ScenarioSpec } from '@herd/harness/engine';
import { HOT_ORIGIN, hotKey } from '../../src/scenarios.js';

/** The slow spell: the origin this many times slower... */
export const SLOW_FACTOR = 3;
/** ...for queries that start in [from, to): the boundaries near 20 s, 30 s and 40 s. */
export const SLOW_SPELL = { fromMs: 15_000, toMs: 45_000 } as const;

/**
 * The hot key with the origin 3x slower for the middle boundaries (a rebuild takes 600-660 ms
 * there), then back to normal: a flight must be shared however long it takes, and after.
 */
export function hotKeySlowSpell(seed: number): ScenarioSpec {
  return {
    ...hotKey(seed),
    name: 'hot-key, slow spell',
    originFaults: [{ kind: 'slow', ...SLOW_SPELL, factor: SLOW_FACTOR }],
  };
}

/** The keys of `manyKeys`; the origin has no row for `ABSENT_KEY`. */
export const MANY_KEYS = ['home', 'cart', 'gone', 'user'] as const;
export const ABSENT_KEY = 'gone';

/**
 * Four keys read at once through one instance (500 clients, each read picks a key at random:
 * about 80 reads a second per key), all missing together at the cold start and at every
 * boundary after it; the origin answers null for "gone".
 */
export function manyKeys(seed: number): ScenarioSpec {
  return {
    name: 'four hot keys',
    seed,
    durationMs: 60_000,
    instances: 1,
    ttlMs: 10_000,
    origin: { ...HOT_ORIGIN, absent: (key) => key === ABSENT_KEY },
    keys: { kind: 'list', keys: MANY_KEYS },
    load: { kind: 'closed', clients: 500, thinkMs: [1000, 2000] },
  };
}
