/**
 * One worker's read path, composed from the modules' own exports in the stack's order. One tier
 * owns the value in Redis (naive cache-aside, the lock, SWR or XFetch); single flight and the lock
 * are handed to the tiers that take them; the jitter layer is an in-process L1 in front; negative
 * caching in front of that; the breaker wraps every Redis command and, when Redis is unusable,
 * serves this process's last copy or a few origin queries; shedding is the door's admission hook.
 */
import {
  HerdError,
  createMemoryCache,
  isHerdError,
  type Clock,
  type MemoryCache,
  type Origin,
  type OriginValue,
  type ReadThrough,
  type Rng,
  type SharedStore,
} from '@herd/harness/engine';
import type { Layer } from './layers.js';
import type { CapstoneSettings } from './settings.js';

type Fn = (...args: never[]) => unknown;
/** The exports of every module the stack uses, merged. */
export type Parts = Record<string, unknown>;

export interface SingleFlight {
  do<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** Without the single-flight layer every caller runs its own rebuild. */
const noFlight: SingleFlight = { do: (_key, fn) => fn() };

export interface BaseDeps {
  clock: Clock;
  rng: Rng;
  origin: Origin;
  ttlMs: number;
  instance: string;
}

/** Admission at the door (module 10's hook), as the service calls it. */
export type Admission = (request: { id: number; priority: 'normal'; deadline: number; kind: 'work' }, view: NodeView) => { admit: boolean; retryAfterMs?: number };
export interface NodeView {
  now: number;
  workers: number;
  inFlight: number;
  queueLength: number;
  oldestQueuedWaitMs: number;
  recentQueueWaitMs: number;
  recentLatencyMs: number;
}

export interface Composed {
  path: ReadThrough;
  admission?: Admission;
  /** After a write: drops the key from every tier this worker can reach. */
  invalidate(key: string): Promise<void>;
}

/** A request found no value in any cache tier: its answer waited for a rebuild. */
export type OnMiss = () => void;

/** Thrown when Redis is unusable and neither a last copy nor an origin slot is left. */
export class ShedError extends HerdError {
  constructor(key: string) {
    super('ORIGIN_OVERLOADED', `shed: Redis unusable, no copy of "${key}" and no origin slot free`, { key });
  }
}

const fn = <T extends Fn>(parts: Parts, name: string): T => {
  const f = parts[name];
  if (typeof f !== 'function') throw new Error(`grader bug: ${name} not loaded for the capstone`);
  return f as T;
};

/** The store seen under a sub-prefix: each tier's names cannot collide with another's. */
export function namespaced(store: SharedStore, ns: string): SharedStore {
  const n = (name: string): string => ns + name;
  return {
    kind: store.kind,
    prefix: store.prefix + ns,
    get: (name) => store.get(n(name)),
    set: (name, value, px) => store.set(n(name), value, px),
    del: (name) => store.del(n(name)),
    pttl: (name) => store.pttl(n(name)),
    acquire: (name, token, px) => store.acquire(n(name), token, px),
    release: (name, token) => store.release(n(name), token),
    nextFence: (name) => store.nextFence(n(name)),
    setFenced: (name, value, fence, px) => store.setFenced(n(name), value, fence, px),
    cleanup: () => store.cleanup(),
    close: () => store.close(),
  };
}

/** A GET of a value name that comes back empty is a miss (lock, claim and fence names are not values). */
function countingMisses(store: SharedStore, onMiss: OnMiss): SharedStore {
  return {
    ...store,
    get: async (name) => {
      const v = await store.get(name);
      if (v === null && !name.includes(':')) onMiss();
      return v;
    },
  };
}

/** Every Redis command through the breaker: an open breaker fails it at once, without a round trip. */
function throughBreaker(store: SharedStore, breaker: { call<T>(f: () => Promise<T>): Promise<T> }): SharedStore {
  const b = <T>(f: () => Promise<T>): Promise<T> => breaker.call(f);
  return {
    ...store,
    get: (name) => b(() => store.get(name)),
    set: (name, value, px) => b(() => store.set(name, value, px)),
    del: (name) => b(() => store.del(name)),
    pttl: (name) => b(() => store.pttl(name)),
    acquire: (name, token, px) => b(() => store.acquire(name, token, px)),
    release: (name, token) => b(() => store.release(name, token)),
    nextFence: (name) => b(() => store.nextFence(name)),
    setFenced: (name, value, fence, px) => b(() => store.setFenced(name, value, fence, px)),
  };
}

interface Entry {
  value: OriginValue | null;
  freshUntil: number;
}

/**
 * The store as a plain-value tier (the lock, the naive fill) sees SWR's entries: a value reads
 * as the entry's value, and every write stores a fresh entry, so the cold path fills SWR's key.
 */
function entryView(store: SharedStore, clock: Clock, softTtlMs: number): SharedStore {
  const wrap = (value: string): string => JSON.stringify({ value: JSON.parse(value) as OriginValue | null, freshUntil: clock.now() + softTtlMs } satisfies Entry);
  return {
    ...store,
    async get(name) {
      const raw = await store.get(name);
      if (raw === null) return null;
      const parsed = JSON.parse(raw) as unknown;
      return typeof parsed === 'object' && parsed !== null && 'freshUntil' in parsed ? JSON.stringify((parsed as Entry).value) : raw;
    },
    set: (name, value, px) => store.set(name, wrap(value), px),
    setFenced: (name, value, fence, px) => store.setFenced(name, wrap(value), fence, px),
  };
}

/** Cache-aside on Redis with no protection but the single flight it is given: the naive row. */
function naiveTier(store: SharedStore, origin: Origin, ttlMs: number, flight: SingleFlight): ReadThrough {
  return {
    async get(key) {
      const raw = await store.get(key);
      if (raw !== null) return JSON.parse(raw) as OriginValue | null;
      return flight.do(key, async () => {
        const value = await origin.fetch(key);
        await store.set(key, JSON.stringify(value), ttlMs);
        return value;
      });
    },
  };
}

/** A cache that never keeps anything: module 07's layer caches only its "not found" answers. */
function noCache(): MemoryCache {
  return {
    get: () => undefined,
    set: () => undefined,
    delete: () => false,
    peek: () => undefined,
    size: 0,
    stats: () => ({ hits: 0, misses: 0, sets: 0, evictions: 0 }),
  };
}

const asOrigin = (r: ReadThrough): Origin => ({ fetch: (key) => r.get(key) });

/**
 * The lock as XFetch's origin. XFetch times its recompute (delta) and draws its next early
 * recompute from it. A process whose recompute the lock answers from the holder's handoff took a
 * millisecond, and the entry it writes would say so: the next window's early recompute then comes
 * a few ms before the expiry, too late, and the key expires under load. So the handoff keeps the
 * holder's rebuild time beside the value, and an answer taken from it lasts at least that long.
 */
function lockAsXFetchOrigin(store: SharedStore, clock: Clock, lockOver: (s: SharedStore) => ReadThrough): Origin {
  const fencedAt = new Map<string, number>();
  const took = new Map<string, number>();
  const timed: SharedStore = {
    ...store,
    async get(name) {
      const raw = await store.get(name);
      if (raw === null) return null;
      const { v, d } = JSON.parse(raw) as { v: string; d: number };
      took.set(name, d);
      return v;
    },
    async nextFence(name) {
      fencedAt.set(name, clock.now());
      return store.nextFence(name);
    },
    setFenced: (name, value, fence, px) => store.setFenced(name, JSON.stringify({ v: value, d: clock.now() - (fencedAt.get(name) ?? clock.now()) }), fence, px),
  };
  const locked = lockOver(timed);
  return {
    async fetch(key) {
      const started = clock.now();
      took.delete(key);
      const value = await locked.get(key);
      const rest = (took.get(key) ?? 0) - (clock.now() - started);
      if (rest > 0) await clock.sleep(rest);
      return value;
    },
  };
}

function storeFailure(e: unknown): boolean {
  if (isHerdError(e, 'STORE_UNAVAILABLE')) return true;
  const name = (e as { name?: unknown } | undefined)?.name;
  return name === 'BreakerOpenError' || (e instanceof Error && /circuit|breaker/i.test(e.message));
}

export function compose(layers: readonly Layer[], parts: Parts, base: BaseDeps, redis: SharedStore, settings: CapstoneSettings, onMiss: OnMiss): Composed {
  const has = (l: Layer): boolean => layers.includes(l);
  const { clock, rng, origin, ttlMs, instance } = base;
  const createSingleFlight = has('single-flight') ? fn<() => SingleFlight>(parts, 'createSingleFlight') : undefined;
  const singleFlight = (): SingleFlight => (createSingleFlight ? createSingleFlight() : noFlight);
  const deps = { clock, origin, ttlMs, instance, cache: createMemoryCache(clock) };

  const breaker = has('breaker') ? fn<(o: unknown) => { call<T>(f: () => Promise<T>): Promise<T> }>(parts, 'createBreaker')({ clock, ...settings.breaker }) : undefined;
  const store = breaker ? throughBreaker(redis, breaker) : redis;
  const values = countingMisses(namespaced(store, 'v:'), onMiss);
  const handoff = namespaced(store, 'h:');
  const negatives = namespaced(store, 'n:');

  const lockOver = (s: SharedStore, lockTtlMs: number, label: string): ReadThrough =>
    fn<(d: unknown) => ReadThrough>(parts, 'createLockedCache')({ ...deps, rng: rng.fork(label), store: s, ttlMs: lockTtlMs, singleFlight, lock: settings.lock });

  let path: ReadThrough;
  if (has('swr')) {
    const swr = { softTtlMs: ttlMs, ...settings.swr };
    const view = entryView(values, clock, swr.softTtlMs);
    const cold = has('lock') ? lockOver(view, swr.hardTtlMs, 'cold-fill') : naiveTier(view, origin, swr.hardTtlMs, singleFlight());
    path = fn<(d: unknown) => ReadThrough>(parts, 'createSwrCache')({ ...deps, rng: rng.fork('swr'), store: values, swr, coldFill: (key: string) => cold.get(key) });
  } else if (has('xfetch')) {
    // The early recomputes of the four processes meet at the lock: its value is only a handoff
    // from the holder to the waiters, kept far shorter than the TTL so no recompute reads it back.
    const below = has('lock') ? lockAsXFetchOrigin(handoff, clock, (s) => lockOver(s, settings.handoffMs, 'handoff')) : origin;
    path = fn<(d: unknown) => ReadThrough>(parts, 'createXFetchCache')({ ...deps, rng: rng.fork('xfetch'), origin: below, store: values, singleFlight, beta: settings.beta });
  } else if (has('lock')) {
    path = lockOver(values, ttlMs, 'lock');
  } else {
    path = naiveTier(values, origin, ttlMs, singleFlight());
  }

  let l1: MemoryCache | undefined;
  if (has('jitter')) {
    l1 = createMemoryCache(clock);
    const below = path;
    path = fn<(d: unknown) => ReadThrough>(parts, 'createJitteredCache')({
      ...deps,
      cache: l1,
      rng: rng.fork('jitter'),
      origin: asOrigin(below),
      ttlMs: settings.l1TtlMs,
      jitter: settings.jitter,
      singleFlight,
    });
  }

  let negative: { created(key: string): Promise<void> } | undefined;
  if (has('negative')) {
    const below = path;
    const made = fn<(d: unknown) => ReadThrough & { created(key: string): Promise<void> }>(parts, 'createNegativeCache')({
      ...deps,
      cache: noCache(),
      rng: rng.fork('negative'),
      origin: asOrigin(below),
      negativeTtlMs: settings.negativeTtlMs,
      maxNegative: settings.maxNegative,
      singleFlight,
      store: negatives,
    });
    negative = made;
    path = made;
  }

  if (breaker) {
    const below = path;
    // This process's last answer per key: what it serves while Redis is unusable.
    const last = new Map<string, OriginValue | null>();
    let inFlight = 0;
    path = {
      async get(key) {
        try {
          const v = await below.get(key);
          if (last.size >= settings.maxLastCopies && !last.has(key)) last.delete(last.keys().next().value!);
          last.set(key, v);
          return v;
        } catch (e) {
          if (!storeFailure(e)) throw e;
          if (last.has(key)) return last.get(key)!;
          if (inFlight >= settings.originLimit) throw new ShedError(key);
          inFlight++;
          try {
            return await origin.fetch(key);
          } finally {
            inFlight--;
          }
        }
      },
    };
  }

  const admission = has('shedding') ? fn<(n: unknown) => Admission>(parts, 'createAdmission')({ id: instance, clock, rng: rng.fork('shedding') }) : undefined;

  return {
    path,
    admission,
    async invalidate(key) {
      l1?.delete(key);
      await negative?.created(key);
      await values.del(key);
      await handoff.del(key);
    },
  };
}
