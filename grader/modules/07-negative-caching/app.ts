/**
 * How module 07's exports become an app: the learner's createNegativeCache, handed the negative
 * TTL and bound, module 02's reference single flight and, in a fleet, the shared store. The
 * builder also plays the writer: when an announced key (inv:i) comes into existence it calls
 * created(key) on every instance, as a pub/sub invalidation would, and records when each call
 * settled. The checks, the headline and the demo all build it here.
 */
import { createEmbeddedStore, type AppDeps, type AppFactory, type Clock, type FleetContext, type SharedStore } from '@herd/harness/engine';
import { fleetStore, type FleetStoreOptions } from '../../src/cache/fleet-store.js';
import type { AppBuilder, CacheApp, Exports } from '../../src/define.js';
import { referenceSingleFlight, type SingleFlight } from '../03-distributed-lock/app.js';
import { CREATED, NEG } from './scenarios.js';

export type NegativeDeps = AppDeps & { negativeTtlMs: number; maxNegative: number; singleFlight: () => SingleFlight; store?: SharedStore };

export interface NegativeApp {
  get(key: string): Promise<unknown>;
  created?(key: string): Promise<void> | void;
}

/** When each created(key) call settled (ms from the run's start), per instance and key; NaN when it threw. */
export type Announcements = Map<string, Map<string, number>>;

export interface NegativeAppOptions extends FleetStoreOptions {
  /** Share a store between the instances (a fleet). Default: no store (deps.store undefined). */
  shared?: boolean;
  negativeTtlMs?: number;
  maxNegative?: number;
  /** Wraps each instance's store (outermost): the checks log every command through it. */
  wrapStore?: (instance: string, store: SharedStore, clock: Clock) => SharedStore;
  /** Filled with when each announcement settled. */
  announced?: Announcements;
  /** Do not play the writer (no created() calls). */
  silent?: boolean;
  /** Handed the fleet's shared store itself (no round trip), so a check can read it directly. */
  onSharedStore?: (store: SharedStore) => void;
  /** Called the moment each created(key) resolves, before anything else runs on the clock. */
  afterCreated?: (instance: string, key: string, atMs: number) => Promise<void> | void;
}

/**
 * How long a null may still be served once a key exists: the negative TTL, plus the store
 * round trips of a fleet's write, plus (on a real Redis in real time) a loaded machine's stall.
 */
export const nullGrace = (negativeTtlMs: number, real: boolean): number => negativeTtlMs + (real ? 300 : 5);

export async function negativeCacheApp(exports: Exports, options: NegativeAppOptions = {}): Promise<CacheApp<NegativeDeps>> {
  const singleFlight = await referenceSingleFlight();
  const negativeTtlMs = options.negativeTtlMs ?? NEG.negativeTtlMs;
  const maxNegative = options.maxNegative ?? NEG.maxNegative;
  const shared = options.shared ?? options.store !== undefined;
  const make = options.store ?? ((fleet: FleetContext) => createEmbeddedStore(fleet.clock));
  const storeOf = fleetStore({
    ...options,
    store: (fleet) => {
      const s = make(fleet);
      options.onSharedStore?.(s);
      return s;
    },
  });
  const real = options.store !== undefined;
  const learner = exports.createNegativeCache as (deps: NegativeDeps) => NegativeApp;
  const t0s = new WeakMap<FleetContext, number>();
  const factory = (deps: NegativeDeps & { fleet?: FleetContext }): NegativeApp => {
    const { fleet, ...own } = deps;
    const app = learner(own as NegativeDeps);
    if (!options.silent && fleet !== undefined && app !== null && typeof app === 'object' && typeof app.created === 'function') {
      const t0 = t0s.get(fleet) ?? 0;
      for (const c of CREATED) {
        const wait = c.at - (fleet.clock.now() - t0);
        if (wait < 0 || c.at >= fleet.spec.durationMs) continue;
        void fleet.clock.sleep(wait).then(async () => {
          let settled = NaN;
          try {
            await app.created!(c.announced);
            settled = fleet.clock.now() - t0;
            await options.afterCreated?.(deps.instance, c.announced, settled);
          } catch {
            // The check reports a created() that threw (NaN).
          }
          const mine = options.announced?.get(deps.instance) ?? new Map<string, number>();
          mine.set(c.announced, settled);
          options.announced?.set(deps.instance, mine);
        });
      }
    }
    return app;
  };
  return {
    factory: factory as unknown as AppFactory<NegativeDeps>,
    extend: (base, fleet) => {
      if (!t0s.has(fleet)) t0s.set(fleet, fleet.clock.now());
      let store: SharedStore | undefined;
      if (shared) {
        const s = storeOf(base, fleet);
        store = options.wrapStore ? options.wrapStore(base.instance, s, fleet.clock) : s;
      }
      return { ...base, negativeTtlMs, maxNegative, singleFlight, ...(store ? { store } : {}), fleet } as NegativeDeps;
    },
    // Values are cached for the TTL from when they land; a fleet's round trips on top.
    maxAgeMs: (spec) => spec.ttlMs + (real ? 300 : 5),
    nullGraceMs: () => nullGrace(negativeTtlMs, real),
  };
}

export const app: AppBuilder = (exports, env) => negativeCacheApp(exports, env);
