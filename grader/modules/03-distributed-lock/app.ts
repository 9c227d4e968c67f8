/**
 * How module 03's exports become an app: the learner's createLockedCache, handed the fleet's
 * shared store, module 02's reference single flight (a bug in the learner's 02 cannot leak in)
 * and the lock settings. The checks, the headline, the demos, the bench and the forked processes
 * all build it here.
 */
import {
  countReads,
  createEmbeddedStore,
  createMemoryCache,
  createRng,
  withLatency,
  type AppDeps,
  type AppFactory,
  type Clock,
  type FleetContext,
  type Origin,
  type ReadThrough,
  type SharedStore,
} from '@herd/harness/engine';
import type { AppBuilder, AppEnv, CacheApp, Exports } from '../../src/define.js';
import { loadExports } from '../../src/load-learner.js';
import singleFlightModule from '../02-single-flight/module.js';
import { LOCK, type LockOptions } from './scenarios.js';

export interface SingleFlight {
  do<T>(key: string, fn: () => Promise<T>): Promise<T>;
}
export type LockedDeps = AppDeps & { store: SharedStore; singleFlight: () => SingleFlight; lock: LockOptions };
export interface LockedCache extends ReadThrough {
  lockWaits?(): number[];
}

export const lockedApp = (exports: Exports) => exports.createLockedCache as (deps: LockedDeps) => LockedCache;

let flightFactory: Promise<() => SingleFlight> | undefined;
/** Module 02's reference single flight, loaded once per process. */
export function referenceSingleFlight(): Promise<() => SingleFlight> {
  flightFactory ??= loadExports(singleFlightModule, 'solution').then((m) => m.createSingleFlight as () => SingleFlight);
  return flightFactory;
}

export interface LockAppOptions extends AppEnv {
  lock?: LockOptions;
  /** Each instance's store round trip, ms, by instance index (none by default). */
  storeLatencyMs?: (index: number) => number;
}

/**
 * Every instance of one run shares one store (one per fleet context), with its reads counted
 * into the run's hit and miss figures, seen through the instance's own store latency.
 */
export async function lockApp(exports: Exports, options: LockAppOptions = {}): Promise<CacheApp<LockedDeps>> {
  const singleFlight = await referenceSingleFlight();
  const lock = options.lock ?? LOCK;
  const stores = new WeakMap<FleetContext, SharedStore>();
  const make = options.store ?? ((fleet: FleetContext) => createEmbeddedStore(fleet.clock));
  return {
    factory: lockedApp(exports) as AppFactory<LockedDeps>,
    extend(base, fleet) {
      let store = stores.get(fleet);
      if (store === undefined) stores.set(fleet, (store = countReads(make(fleet), fleet)));
      const index = Number(base.instance.slice(1)) || 0;
      const latency = options.storeLatencyMs?.(index) ?? 0;
      return { ...base, store: withLatency(store, fleet.clock, latency), singleFlight, lock };
    },
  };
}

export const app: AppBuilder = (exports, env) => lockApp(exports, env);

/** One instance's deps, built by hand for the unit-style checks. */
export async function handDeps(clock: Clock, store: SharedStore, origin: Origin, instance: string, lock: LockOptions, ttlMs = 10_000): Promise<LockedDeps> {
  return {
    clock,
    rng: createRng(7).fork(`learner:${instance}`),
    origin,
    cache: createMemoryCache(clock),
    ttlMs,
    instance,
    store,
    singleFlight: await referenceSingleFlight(),
    lock,
  };
}
