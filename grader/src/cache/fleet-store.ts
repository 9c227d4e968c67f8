/**
 * The shared store of a cache fleet (modules 03 on): every instance of one run shares one store
 * (one per fleet context: embedded by default, a real Redis when the env says so), its reads
 * counted into the run's hit and miss figures, each instance seeing it through its own round-trip
 * latency. One place for it, so every module's builder hands out the store the same way.
 */
import { countReads, createEmbeddedStore, withLatency, type AppDeps, type FleetContext, type SharedStore } from '@herd/harness/engine';
import type { AppEnv } from '../define.js';

export interface FleetStoreOptions extends AppEnv {
  /** Each instance's store round trip, ms, by instance index (none by default). */
  storeLatencyMs?: (index: number) => number;
}

/** A function from an instance's base deps and its fleet to the store that instance sees. */
export function fleetStore(options: FleetStoreOptions = {}): (base: AppDeps, fleet: FleetContext) => SharedStore {
  const stores = new WeakMap<FleetContext, SharedStore>();
  const make = options.store ?? ((fleet: FleetContext) => createEmbeddedStore(fleet.clock));
  return (base, fleet) => {
    let shared = stores.get(fleet);
    if (shared === undefined) stores.set(fleet, (shared = countReads(make(fleet), fleet)));
    const index = Number(base.instance.slice(1)) || 0;
    return withLatency(shared, fleet.clock, options.storeLatencyMs?.(index) ?? 0);
  };
}
