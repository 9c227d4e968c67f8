/**
 * How module 06's exports become an app: the learner's createJitteredCache, handed the jitter
 * width and module 02's reference single flight, with the batch job that writes the whole
 * catalogue through its write() at each batch time. Every write into the in-process cache is
 * logged from outside (when, which key, for how long), for the checks to read.
 */
import type { AppDeps, AppFactory, MemoryCache, OriginValue, ReadThrough, ScenarioSpec } from '@herd/harness/engine';
import type { AppBuilder, CacheApp, Exports } from '../../src/define.js';
import { referenceSingleFlight, type SingleFlight } from '../03-distributed-lock/app.js';
import { JITTER, type CatalogueSpec } from './scenarios.js';

export type JitterDeps = AppDeps & { jitter: number; singleFlight: () => SingleFlight };
export interface JitteredCache extends ReadThrough {
  write(key: string, value: OriginValue): void | Promise<void>;
}

/** Every cache write of a run: time, key and TTL, in order. */
export class WriteLog {
  n = 0;
  t: number[] = [];
  key: string[] = [];
  ttl: number[] = [];
  instance: string[] = [];
  add(t: number, key: string, ttl: number, instance: string): void {
    this.t.push(t);
    this.key.push(key);
    this.ttl.push(ttl);
    this.instance.push(instance);
    this.n++;
  }
}

export interface JitterAppOptions {
  jitter?: number;
  /** Where the run's writes are logged; a fresh one per run. */
  log?: WriteLog;
  /** Replaces each instance's rng (the isolation checks hand two instances one stream, or two). */
  rngFor?: (instance: string, base: AppDeps) => AppDeps['rng'];
}

/** The oldest a value may be when served: the longest jittered TTL, plus a ms of rounding. */
export const maxAge = (spec: ScenarioSpec, jitter: number): number => spec.ttlMs * (1 + jitter) + 1;

function logged(cache: MemoryCache, log: WriteLog | undefined, now: () => number, instance: string): MemoryCache {
  if (log === undefined) return cache;
  return {
    get: (key) => cache.get(key),
    set(key, value, ttlMs) {
      log.add(now(), key, ttlMs, instance);
      cache.set(key, value, ttlMs);
    },
    delete: (key) => cache.delete(key),
    peek: (key) => cache.peek(key),
    get size() {
      return cache.size;
    },
    stats: () => cache.stats(),
  };
}

export async function jitterApp(exports: Exports, options: JitterAppOptions = {}): Promise<CacheApp<JitterDeps>> {
  const singleFlight = await referenceSingleFlight();
  const jitter = options.jitter ?? JITTER;
  const create = exports.createJitteredCache as (deps: JitterDeps) => JitteredCache;
  const factory: AppFactory<JitterDeps> = (deps) => {
    const cache = create(deps);
    const spec = (deps as JitterDeps & { spec?: CatalogueSpec }).spec;
    const batch = spec?.catalogue;
    if (batch !== undefined) {
      const run = (): void => {
        for (const key of batch.keys) {
          const value: OriginValue = { key, version: 0, builtAt: deps.clock.now(), by: 'batch' };
          const done = cache.write(key, value);
          if (done instanceof Promise) done.catch(() => undefined);
        }
      };
      for (const at of batch.batchesAtMs) {
        if (at <= 0) run();
        else void deps.clock.sleep(at).then(run);
      }
    }
    return cache;
  };
  return {
    factory,
    extend: (base, fleet) => {
      const deps = {
        ...base,
        rng: options.rngFor?.(base.instance, base) ?? base.rng,
        cache: logged(base.cache, options.log, () => fleet.clock.now(), base.instance),
        jitter,
        singleFlight,
      };
      // The batch job's catalogue rides along, out of the learner's sight (not enumerable).
      Object.defineProperty(deps, 'spec', { value: fleet.spec, enumerable: false });
      return deps;
    },
    maxAgeMs: (spec) => maxAge(spec, jitter),
  };
}

export const app: AppBuilder = (exports) => jitterApp(exports);
