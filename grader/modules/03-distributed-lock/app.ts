/**
 * How module 03's exports become an app: the learner's createLockedCache, handed the fleet's
 * shared store, module 02's reference single flight (a bug in the learner's 02 cannot leak in)
 * and the lock settings. The checks, the headline, the demos, the bench and the forked processes
 * all build it here.
 */
import {
  createMemoryCache,
  createRng,
  type AppDeps,
  type AppFactory,
  type Clock,
  type Origin,
  type ReadThrough,
  type SharedStore,
} from '@herd/harness/engine';
import type { AppBuilder, CacheApp, Exports } from '../../src/define.js';
import { referenceExports } from '../../src/load-learner.js';
import { fleetStore, type FleetStoreOptions } from '../../src/cache/fleet-store.js';
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

/** Module 02's reference single flight, loaded once per process. */
export async function referenceSingleFlight(): Promise<() => SingleFlight> {
  return (await referenceExports(singleFlightModule)).createSingleFlight as () => SingleFlight;
}

export interface LockAppOptions extends FleetStoreOptions {
  lock?: LockOptions;
}

/** Every instance gets the fleet's one store (grader/src/cache/fleet-store.ts), 02's single flight and the lock settings. */
export async function lockApp(exports: Exports, options: LockAppOptions = {}): Promise<CacheApp<LockedDeps>> {
  const singleFlight = await referenceSingleFlight();
  const lock = options.lock ?? LOCK;
  const storeOf = fleetStore(options);
  return {
    factory: lockedApp(exports) as AppFactory<LockedDeps>,
    extend: (base, fleet) => ({ ...base, store: storeOf(base, fleet), singleFlight, lock }),
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
