/**
 * Fleet assembly: one slow origin shared by `instances` app instances, each with its own
 * in-process cache and its own seeded stream, plus whatever the run's `extend` adds (a shared
 * store, an injected helper). Every cache miss in the fleet is recorded for the report.
 */
import type { AppDeps, AppFactory, ReadThrough } from '../app.js';
import type { Clock } from '../clock.js';
import { createMemoryCache, type MemoryCache } from '../memory-cache.js';
import { SlowOrigin } from '../origin.js';
import type { Rng } from '../rng.js';
import type { ScenarioSpec } from './scenario.js';

/** What is shared by the whole fleet in one run. */
export interface FleetContext {
  clock: Clock;
  rng: Rng;
  origin: SlowOrigin;
  spec: ScenarioSpec;
  /**
   * Counts a cache read the in-process caches do not see (a GET on the shared store, see
   * countReads) into the report's hits, misses and per-boundary misses.
   */
  recordRead(key: string, hit: boolean): void;
}

export interface FleetMember<D extends AppDeps> {
  deps: D;
  app: ReadThrough;
  cache: MemoryCache;
}

export interface Fleet<D extends AppDeps> {
  ids: string[];
  members: Array<FleetMember<D>>;
  context: FleetContext;
  /** Every miss, with its time relative to t0; written by the caches' onMiss and recordRead. */
  misses: Array<{ key: string; at: number }>;
  /** Shared-store reads reported through recordRead. */
  sharedReads: { hits: number; misses: number };
}

export function assembleFleet<D extends AppDeps>(
  spec: ScenarioSpec,
  factory: AppFactory<D>,
  clock: Clock,
  rng: Rng,
  t0: number,
  extend?: (deps: AppDeps, fleet: FleetContext) => D,
): Fleet<D> {
  const instances = spec.instances ?? 1;
  const origin = new SlowOrigin(clock, rng.fork('origin'), spec.origin, t0);
  const misses: Array<{ key: string; at: number }> = [];
  const sharedReads = { hits: 0, misses: 0 };
  const context: FleetContext = {
    clock,
    rng,
    origin,
    spec,
    recordRead(key, hit) {
      if (hit) sharedReads.hits++;
      else {
        sharedReads.misses++;
        misses.push({ key, at: clock.now() - t0 });
      }
    },
  };
  const ids = Array.from({ length: instances }, (_, i) => `i${i}`);
  const members = ids.map((id, i) => {
    const cache = createMemoryCache(clock, {
      maxEntries: spec.cache?.maxEntries,
      onMiss: (key, at) => misses.push({ key, at: at - t0 }),
    });
    const base: AppDeps = {
      clock,
      rng: rng.fork(`learner:${i}`),
      // Frozen: code that swaps fetch would take its queries out of the measurement.
      origin: Object.freeze(origin.forInstance(id)),
      cache,
      ttlMs: spec.ttlMs,
      instance: id,
    };
    const deps = extend ? extend(base, context) : (base as D);
    const app = factory(deps);
    return { deps, app, cache };
  });
  return { ids, members, context, misses, sharedReads };
}
