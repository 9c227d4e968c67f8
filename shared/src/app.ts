/**
 * The contract between the harness and learner code: what an app instance is handed, and what
 * it must give back.
 */
import type { Clock } from './clock.js';
import type { MemoryCache } from './memory-cache.js';
import type { Origin, OriginValue } from './origin.js';
import type { Rng } from './rng.js';

/** Everything an app instance may use. Learner code takes time and randomness only from here. */
export interface AppDeps {
  clock: Clock;
  /** This instance's own random stream. */
  rng: Rng;
  /** The shared origin, as this instance sees it. */
  origin: Origin;
  /** This instance's in-process cache. */
  cache: MemoryCache;
  /** How long a cached value lives, ms. */
  ttlMs: number;
  /** This instance's name, e.g. "i0". */
  instance: string;
}

/** A cached read path: what every module's learner code builds, one per app instance. */
export interface ReadThrough {
  get(key: string): Promise<OriginValue | null>;
}

/** Builds one app instance's read path from its dependencies. */
export type AppFactory<D extends AppDeps = AppDeps> = (deps: D) => ReadThrough;
