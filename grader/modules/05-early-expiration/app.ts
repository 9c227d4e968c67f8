/**
 * How module 05's exports become an app: the learner's createXFetchCache, handed the fleet's
 * shared store (one per run, its reads counted), module 02's reference single flight (as 03
 * gets it) and beta. The checks, the headline and the demo all build it here.
 */
import { countReads, createEmbeddedStore, withLatency, type AppDeps, type AppFactory, type FleetContext, type ReadThrough, type SharedStore } from '@herd/harness/engine';
import type { AppBuilder, AppEnv, CacheApp, Exports } from '../../src/define.js';
import { referenceSingleFlight, type SingleFlight } from '../03-distributed-lock/app.js';
import { BETA } from './scenarios.js';

export type XFetchDeps = AppDeps & { store: SharedStore; singleFlight: () => SingleFlight; beta: number };

export const xfetchApp = (exports: Exports) => exports.createXFetchCache as (deps: XFetchDeps) => ReadThrough;

export interface XFetchAppOptions extends AppEnv {
  beta?: number;
  /** Each instance's store round trip, ms, by instance index (none by default). */
  storeLatencyMs?: (index: number) => number;
}

export async function xfetchCacheApp(exports: Exports, options: XFetchAppOptions = {}): Promise<CacheApp<XFetchDeps>> {
  const singleFlight = await referenceSingleFlight();
  const beta = options.beta ?? BETA;
  const stores = new WeakMap<FleetContext, SharedStore>();
  const make = options.store ?? ((fleet: FleetContext) => createEmbeddedStore(fleet.clock));
  return {
    factory: xfetchApp(exports) as AppFactory<XFetchDeps>,
    extend(base, fleet) {
      let store = stores.get(fleet);
      if (store === undefined) stores.set(fleet, (store = countReads(make(fleet), fleet)));
      const index = Number(base.instance.slice(1)) || 0;
      const latency = options.storeLatencyMs?.(index) ?? 0;
      return { ...base, store: withLatency(store, fleet.clock, latency), singleFlight, beta };
    },
  };
}

export const app: AppBuilder = (exports, env) => xfetchCacheApp(exports, env);
