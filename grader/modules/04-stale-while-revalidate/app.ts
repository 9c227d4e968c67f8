/**
 * How module 04's exports become an app: the learner's createSwrCache, handed the fleet's shared
 * store, the SWR settings, and the cold path already built: module 03's reference lock
 * (deps.coldFill), so a bug in the learner's 03 cannot leak in and the exercise stays on what
 * happens once a value exists. The checks, the headline, the demo and the Redis run build it here.
 */
import {
  createMemoryCache,
  createRng,
  type AppDeps,
  type AppFactory,
  type Clock,
  type Origin,
  type OriginValue,
  type ReadThrough,
  type ScenarioSpec,
  type SharedStore,
} from '@herd/harness/engine';
import type { AppBuilder, CacheApp, Exports } from '../../src/define.js';
import { referenceExports } from '../../src/load-learner.js';
import { skewedClock } from '../../src/cache/adversity.js';
import { fleetStore, type FleetStoreOptions } from '../../src/cache/fleet-store.js';
import lockModule from '../03-distributed-lock/module.js';
import { referenceSingleFlight, type LockedCache, type LockedDeps } from '../03-distributed-lock/app.js';
import { LOCK } from '../03-distributed-lock/scenarios.js';
import { SWR, type SwrOptions } from './scenarios.js';

export type SwrDeps = AppDeps & { store: SharedStore; swr: SwrOptions; coldFill: (key: string) => Promise<OriginValue | null> };

/** What the store holds under a key: the value, and until when it is fresh. */
export interface Entry {
  value: OriginValue | null;
  freshUntil: number;
}

export const swrApp = (exports: Exports) => exports.createSwrCache as (deps: SwrDeps) => ReadThrough;

/** Module 03's reference createLockedCache, loaded once per process. */
async function referenceLock(): Promise<(deps: LockedDeps) => LockedCache> {
  return (await referenceExports(lockModule)).createLockedCache as (deps: LockedDeps) => LockedCache;
}

/**
 * The store as module 03's lock sees it: a key's value is the entry's value, and its fenced
 * write stores a fresh entry (fresh for softTtlMs from the write) with the hard TTL as PX.
 */
function entryView(store: SharedStore, clock: Clock, swr: SwrOptions): SharedStore {
  return {
    ...store,
    async get(name) {
      const raw = await store.get(name);
      if (raw === null) return null;
      const parsed = parse(raw);
      // A value in a shape other than an entry is handed over as it is: the lock only needs "something is there".
      return parsed !== undefined && typeof parsed === 'object' && parsed !== null && 'freshUntil' in parsed ? JSON.stringify((parsed as Entry).value) : raw;
    },
    async setFenced(name, value, fence, pxMs) {
      const entry: Entry = { value: JSON.parse(value) as OriginValue | null, freshUntil: clock.now() + swr.softTtlMs };
      return store.setFenced(name, JSON.stringify(entry), fence, pxMs);
    },
  };
}

function parse(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

type LockParts = [createLockedCache: (deps: LockedDeps) => LockedCache, singleFlight: LockedDeps['singleFlight']];

/** Module 03's reference and module 02's single flight, loaded once per process (before a run: extend() is synchronous). */
const lockParts = (): Promise<LockParts> => Promise.all([referenceLock(), referenceSingleFlight()]);

/** The cold path one instance is handed: module 03's reference over the entry view, PX the hard TTL. */
function coldFillFor([createLockedCache, singleFlight]: LockParts, base: AppDeps, store: SharedStore, swr: SwrOptions): (key: string) => Promise<OriginValue | null> {
  const locked = createLockedCache({
    ...base,
    // Its own stream: the learner's draws from deps.rng are the same whether the cold path runs or not.
    rng: base.rng.fork('cold-fill'),
    ttlMs: swr.hardTtlMs,
    store: entryView(store, base.clock, swr),
    singleFlight,
    lock: LOCK,
  });
  return (key) => locked.get(key);
}

export interface SwrAppOptions extends FleetStoreOptions {
  swr?: Partial<Omit<SwrOptions, 'softTtlMs'>>;
  /** Each instance's clock against the fleet's, ms, by instance index (none by default): clock skew. */
  clockSkewMs?: (index: number) => number;
}

/**
 * The oldest a value may be when it is answered: the hard TTL, plus the two store round trips of
 * the slowest instance that lie between the origin building it and a read answering with it (the
 * write landing, the read's answer coming back).
 */
export function swrMaxAgeMs(spec: ScenarioSpec, options: SwrAppOptions = {}): number {
  const hard = options.swr?.hardTtlMs ?? SWR.hardTtlMs;
  const trips = Array.from({ length: spec.instances ?? 1 }, (_, i) => options.storeLatencyMs?.(i) ?? 0);
  // On a real Redis the round trips are not ours to set: a generous 50 ms.
  return hard + (options.store ? 50 : 2 * Math.max(0, ...trips));
}

/**
 * Every instance of one run shares one store (one per fleet context), its reads counted into the
 * run's hit and miss figures, seen through the instance's own store latency. The soft TTL is the
 * scenario's TTL, so the report's boundaries are soft expiries.
 */
export async function swrCacheApp(exports: Exports, options: SwrAppOptions = {}): Promise<CacheApp<SwrDeps>> {
  const parts = await lockParts();
  const storeOf = fleetStore(options);
  return {
    factory: swrApp(exports) as AppFactory<SwrDeps>,
    extend(plain, fleet) {
      // The host's clock: freshUntil is written and compared on it (and by the cold path's writes).
      const base = { ...plain, clock: skewedClock(plain.clock, options.clockSkewMs?.(Number(plain.instance.slice(1)) || 0) ?? 0) };
      const store = storeOf(base, fleet);
      const swr: SwrOptions = { softTtlMs: base.ttlMs, ...SWR, ...options.swr };
      return { ...base, store, swr, coldFill: coldFillFor(parts, base, store, swr) };
    },
    maxAgeMs: (spec) => swrMaxAgeMs(spec, options),
  };
}

export const app: AppBuilder = (exports, env) => swrCacheApp(exports, env);

/** One instance's deps, built by hand for the unit-style checks. */
export async function handDeps(clock: Clock, store: SharedStore, origin: Origin, instance: string, swr: SwrOptions): Promise<SwrDeps> {
  const base: AppDeps = {
    clock,
    rng: createRng(7).fork(`learner:${instance}`),
    origin,
    cache: createMemoryCache(clock),
    ttlMs: swr.softTtlMs,
    instance,
  };
  return { ...base, store, swr, coldFill: coldFillFor(await lockParts(), base, store, swr) };
}
