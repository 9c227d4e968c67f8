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
  type ScenarioSpec,
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
  /** Wraps each instance's store (outermost): the checks log every command through it (store-log.ts). */
  wrapStore?: (instance: string, store: SharedStore, clock: Clock) => SharedStore;
}

/** What a real store's round trip may add to a value's age, on a busy machine, in real time. */
const REAL_STORE_SLACK_MS = 250;

/**
 * Every instance gets the fleet's one store (grader/src/cache/fleet-store.ts), 02's single flight
 * and the lock settings. A value may be served until its TTL ends in the store, which starts when
 * its write lands: up to two of the slowest instance's round trips after the origin built it.
 */
export async function lockApp(exports: Exports, options: LockAppOptions = {}): Promise<CacheApp<LockedDeps>> {
  const singleFlight = await referenceSingleFlight();
  const lock = options.lock ?? LOCK;
  const storeOf = fleetStore(options);
  const trip = (spec: ScenarioSpec): number => Math.max(0, ...Array.from({ length: spec.instances ?? 1 }, (_, i) => options.storeLatencyMs?.(i) ?? 0));
  return {
    factory: lockedApp(exports) as AppFactory<LockedDeps>,
    extend: (base, fleet) => {
      const store = storeOf(base, fleet);
      return { ...base, store: options.wrapStore ? options.wrapStore(base.instance, store, fleet.clock) : store, singleFlight, lock };
    },
    maxAgeMs: (spec) => spec.ttlMs + 2 * trip(spec) + 1 + (options.store ? REAL_STORE_SLACK_MS : 0),
  };
}

export const app: AppBuilder = (exports, env) => lockApp(exports, env);

/** One instance's deps, built by hand for the unit-style checks; its random stream comes from `seed`. */
export async function handDeps(clock: Clock, store: SharedStore, origin: Origin, instance: string, lock: LockOptions, seed = 7, ttlMs = 10_000): Promise<LockedDeps> {
  return {
    clock,
    rng: createRng(seed).fork(`learner:${instance}`),
    origin,
    cache: createMemoryCache(clock),
    ttlMs,
    instance,
    store,
    singleFlight: await referenceSingleFlight(),
    lock,
  };
}
