/**
 * The course manifest: every module's id, title, the files the learner edits and what they must
 * export, its tiered hints, and its checks with their targets. The checks' code lives in
 * grader/checks/<id>.ts; `pnpm test` proves every name here has an implementation there.
 */
import { GraderError } from './learner-error.js';

export interface CheckSpec {
  name: string;
  /** The target as people read it in the table. */
  target: string;
  /** The number the check compares against, where there is one. */
  value?: number;
  /** Grade on every seed (default) or once (the check does not depend on the seed). */
  seeds?: 'each' | 'once';
  /** What the starter's failure must say: proves it fails for the reason the module teaches. */
  starterFails: RegExp;
}

export interface ModuleSpec {
  id: string;
  title: string;
  /** Learner files (relative to modules/<id>/) and the functions each must export. */
  files: Record<string, string[]>;
  hints: string[];
  checks: CheckSpec[];
  /** The module whose reference runs beside this one on the identical scenario. */
  compareWith?: string;
}

export const manifest: ModuleSpec[] = [
  {
    id: '01-stampede',
    title: 'stampede',
    files: { 'naive-cache.ts': ['createNaiveCache'], 'predict-herd.ts': ['predictHerd'] },
    hints: [
      'Cache-aside is three steps: look in deps.cache; on a hit return it; on a miss fetch from deps.origin, store it with deps.cache.set(key, value, deps.ttlMs), return it.',
      'stats(): count every get() call and every miss in two counters; push deps.clock.now() - start for each call into an array; p99Ms is percentile(latencies, 99) from @herd/harness.',
      'predictHerd: the first miss starts a rebuild that takes rebuildMs. Every request arriving before it lands also misses. How many arrive in rebuildMs at ratePerSec?',
      'predictHerd returns ratePerSec * rebuildMs / 1000. The grader accepts +-1 or 10%.',
    ],
    checks: [
      {
        name: 'herd reproduced',
        target: 'queries = misses at every boundary, herd > 1',
        starterFails: /never missed|no cache misses|does not read deps\.cache/,
      },
      {
        name: 'stats agree',
        target: "stats() = harness's requests, misses, p99",
        starterFails: /stats\(\) counted 0 requests/,
      },
      {
        name: 'prediction',
        target: 'within +-1 or 10% at 6 rates x latencies',
        seeds: 'once',
        starterFails: /predicted 0/,
      },
    ],
  },
  {
    id: '02-single-flight',
    title: 'single-flight',
    files: { 'single-flight.ts': ['createSingleFlight', 'createSingleFlightCache'] },
    compareWith: '01-stampede',
    hints: [
      'Keep a Map from key to the promise of the rebuild in flight. A second caller for the same key gets that promise instead of calling fn again.',
      "Store the promise, not the value: waiters must be able to await a result that doesn't exist yet.",
      'Remove the entry when the promise settles, on success AND on failure (promise.finally), or one failed rebuild poisons the key forever.',
      'Only the caller that creates the entry calls fn(); delete the entry only if it is still the one you created.',
    ],
    checks: [
      {
        name: 'one query per boundary',
        target: '1 origin query per TTL boundary',
        value: 1,
        starterFails: /sent \d+ queries to the origin, want 1/,
      },
      {
        name: 'one per instance',
        target: '4 instances: 1 query each per boundary',
        value: 4,
        starterFails: /queries per instance.*want 1 each/,
      },
      {
        name: 'same value for every waiter',
        target: '100 callers: fn runs once, one shared value',
        starterFails: /fn ran 100 times for 100 concurrent callers, want 1/,
      },
      {
        name: 'failure shared, not cached',
        target: 'waiters share the error; next call retries',
        seeds: 'once',
        starterFails: /fn ran 50 times for 50 concurrent callers, want 1/,
      },
      {
        name: 'keys independent',
        target: 'fn once per key; fast key not held by slow key',
        seeds: 'once',
        starterFails: /fn ran 50 times for key "a"/,
      },
      {
        name: 'p99 at the boundary',
        target: 'p99 <= 1.2 x one origin latency (264 ms)',
        value: 264,
        starterFails: /p99 at the boundary .* want <= 264 ms/,
      },
    ],
  },
  {
    id: '03-distributed-lock',
    title: 'distributed lock',
    files: { 'locked-cache.ts': ['createLockedCache'] },
    compareWith: '02-single-flight',
    hints: [
      'Inside your single flight, try store.acquire(`lock:${key}`, token, lock.pxMs) with a token only this call knows (deps.instance plus deps.rng.int). The winner rebuilds; everyone else waits for the value to appear in the store.',
      'Waiting is a loop: sleep on deps.clock (pause * (0.5 + rng.next())), then store.get(key). Let the pause grow a little each time (x1.5) but cap it at 4 x pollMs: the crashed-holder check allows PX + one rebuild + two polls of at most 6 x pollMs. Stop when the value is there; if the lock is gone and there is still no value, its holder crashed: try to acquire again. After lock.maxWaitMs, throw new HerdError(\'LOCK_WAIT_TIMEOUT\', ...).',
      'The holder: fence = await store.nextFence(key) BEFORE the rebuild, then origin.fetch, then store.setFenced(key, JSON.stringify(value), fence, deps.ttlMs). A holder whose lock expired mid-rebuild then cannot overwrite the newer value. Release with store.release(lock, token) in a finally.',
      'After you win the lock, read the store once more: another instance may have written the value between your miss and your acquire. Push clock.now() - start into an array for every waiter and return a copy from lockWaits().',
    ],
    checks: [
      {
        name: 'one rebuild fleet-wide',
        target: '1 origin query per boundary, 4 instances',
        value: 1,
        starterFails: /the fleet sent 4 queries to the origin .* want 1/,
      },
      {
        name: 'crashed holder',
        target: '1 query after the lock expires; wait <= PX + rebuild',
        seeds: 'once',
        starterFails: /sent 4 queries to the origin \(4 of them while the crashed holder's lock was still alive\), want 1/,
      },
      {
        name: 'slow holder fenced',
        target: "expired holder's late write refused",
        seeds: 'once',
        starterFails: /store ends with version 1 .* want version 2/,
      },
      {
        name: 'release by non-holder',
        target: 'only the holder releases, once per acquire',
        starterFails: /no lock was ever taken/,
      },
      {
        name: 'waiters give up',
        target: 'LOCK_WAIT_TIMEOUT at maxWaitMs (2000 ms)',
        seeds: 'once',
        starterFails: /requests did not wait for the lock holder/,
      },
      {
        name: 'lock wait measured',
        target: 'lockWaits(): p99 <= lock PX (1000 ms)',
        value: 1000,
        starterFails: /no lock waits recorded/,
      },
      {
        name: 'real Redis: one rebuild fleet-wide',
        target: '1 query per burst on Redis, real time',
        seeds: 'once',
        starterFails: /on Redis, burst at .* the fleet sent 4 queries .* want 1/,
      },
    ],
  },
];

/**
 * The whole course, built or not (../shared/workshop-map.md): lets the CLIs tell a module that is
 * coming from a typo. A module moves from here into `manifest` when it is built.
 */
export const course: ReadonlyArray<{ id: string; title: string }> = [
  { id: '01-stampede', title: 'stampede' },
  { id: '02-single-flight', title: 'single-flight' },
  { id: '03-distributed-lock', title: 'distributed lock' },
  { id: '04-stale-while-revalidate', title: 'stale-while-revalidate' },
  { id: '05-early-expiration', title: 'early expiration (XFetch)' },
  { id: '06-ttl-jitter', title: 'TTL jitter' },
  { id: '07-negative-caching', title: 'negative caching' },
  { id: '08-cache-warming', title: 'cache warming' },
  { id: '09-jitter-backoff', title: 'jitter backoff' },
  { id: '10-load-shedding', title: 'load shedding' },
  { id: '11-cascading-failure', title: 'cascading failure' },
  { id: '12-metastable-retries', title: 'metastable retries' },
  { id: '13-circuit-breaker', title: 'circuit breaker' },
  { id: '14-capstone', title: 'capstone service' },
];

const matches = (id: string, q: string): boolean => id === q || id.startsWith(`${q.padStart(2, '0')}-`) || id.slice(3) === q;

export function findModule(query: string): ModuleSpec | undefined {
  const q = query.trim().toLowerCase();
  return manifest.find((m) => matches(m.id, q));
}

/** The module a CLI argument names, or a GraderError saying it is still coming or does not exist. */
export function requireModule(query: string | undefined, usage: string): ModuleSpec {
  if (query === undefined) throw new GraderError(usage);
  const spec = findModule(query);
  if (spec !== undefined) return spec;
  const available = manifest.map((m) => m.id).join(', ');
  const coming = course.find((m) => matches(m.id, query.trim().toLowerCase()));
  if (coming !== undefined) {
    throw new GraderError(`module ${coming.id} (${coming.title}) is not built yet; it is on the course map in README.md. Available now: ${available}`);
  }
  throw new GraderError(`no module "${query}" (modules: ${available})`);
}
