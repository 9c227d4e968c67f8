/**
 * How module 05's exports become an app: the learner's createXFetchCache, handed the fleet's
 * shared store (one per run, its reads counted), module 02's reference single flight (as 03
 * gets it) and beta. The checks, the headline and the demo all build it here.
 */
import type { AppDeps, AppFactory, ReadThrough, SharedStore } from '@herd/harness/engine';
import { fleetStore, type FleetStoreOptions } from '../../src/cache/fleet-store.js';
import type { AppBuilder, CacheApp, Exports } from '../../src/define.js';
import { referenceSingleFlight, type SingleFlight } from '../03-distributed-lock/app.js';
import { BETA } from './scenarios.js';

export type XFetchDeps = AppDeps & { store: SharedStore; singleFlight: () => SingleFlight; beta: number };

export const xfetchApp = (exports: Exports) => exports.createXFetchCache as (deps: XFetchDeps) => ReadThrough;

export interface XFetchAppOptions extends FleetStoreOptions {
  beta?: number;
  /**
   * Module 02's single flight, but each caller gets a promise of its own for the shared call, as
   * any single flight may do: a background recompute's rejection that the cache does not catch
   * then shows as unhandled, instead of being absorbed by the handler the reference flight keeps
   * for its own bookkeeping.
   */
  ownPromises?: boolean;
}

/** `make`'s flights, each caller handed its own promise of the shared call. */
export function ownPromiseFlight(make: () => SingleFlight): () => SingleFlight {
  return () => {
    const inner = make();
    return { do: <T>(key: string, fn: () => Promise<T>): Promise<T> => inner.do(key, fn).then((value) => value) };
  };
}

/**
 * The oldest a value may be when served, past the TTL: XFetch never serves a value past its
 * expiry, so only the time its write takes to land and a read's round trip (a few ms on the
 * virtual clock's stores, 1 to 4 ms each) and, on a real Redis in real time, an event-loop stall
 * on a loaded machine (a quarter of that run's 1 s TTL).
 */
export const PAST_TTL = { virtualMs: 25, realShare: 0.25 } as const;

export async function xfetchCacheApp(exports: Exports, options: XFetchAppOptions = {}): Promise<CacheApp<XFetchDeps>> {
  const reference = await referenceSingleFlight();
  const singleFlight = options.ownPromises ? ownPromiseFlight(reference) : reference;
  const beta = options.beta ?? BETA;
  const storeOf = fleetStore(options);
  // A store handed in is a real one (Redis), on the real clock.
  const real = options.store !== undefined;
  return {
    factory: xfetchApp(exports) as AppFactory<XFetchDeps>,
    extend: (base, fleet) => ({ ...base, store: storeOf(base, fleet), singleFlight, beta }),
    maxAgeMs: (spec) => spec.ttlMs + (real ? spec.ttlMs * PAST_TTL.realShare : PAST_TTL.virtualMs),
  };
}

export const app: AppBuilder = (exports, env) => xfetchCacheApp(exports, env);
