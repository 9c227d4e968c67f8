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
}

export async function xfetchCacheApp(exports: Exports, options: XFetchAppOptions = {}): Promise<CacheApp<XFetchDeps>> {
  const singleFlight = await referenceSingleFlight();
  const beta = options.beta ?? BETA;
  const storeOf = fleetStore(options);
  return {
    factory: xfetchApp(exports) as AppFactory<XFetchDeps>,
    extend: (base, fleet) => ({ ...base, store: storeOf(base, fleet), singleFlight, beta }),
  };
}

export const app: AppBuilder = (exports, env) => xfetchCacheApp(exports, env);
