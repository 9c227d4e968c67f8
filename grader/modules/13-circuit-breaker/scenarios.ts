/**
 * The runs module 13's checks, headline and demo share: the learner's read path (or one of the
 * comparison paths) in the outage world, one run per code and seed, kept for the process so
 * five checks read one run instead of making five.
 */
import type { Exports } from '../../src/define.js';
import { BREAKER, OUTAGE, runWorld, type Breaker, type BreakerOptions, type ReadMaker, type WorldRun, type WorldSpec } from './world.js';

/** ms after the store dies by which the breaker must be open: the timeout, half a time-based window, and slack. */
export const OPEN_WITHIN = 1000;
/** ms after the store returns by which the breaker must be closed: one open period, one timed-out probe round, and slack. */
export const CLOSE_WITHIN = BREAKER.openMs + 600;

export const outageSpec = (seed: number): WorldSpec => ({ name: 'store down 20 s, 500 req/s', seed, durationMs: OUTAGE.durationMs, outages: [OUTAGE] });

/** 15 s of normal load with 1% of store calls failing at random, then a real 3 s outage. */
export const SPORADIC = { errorRate: 0.01, outageFromMs: 15_000, durationMs: 18_000 } as const;
export const sporadicSpec = (seed: number): WorldSpec => ({
  name: '1% store errors, then an outage',
  seed,
  durationMs: SPORADIC.durationMs,
  errorRate: SPORADIC.errorRate,
  outages: [{ fromMs: SPORADIC.outageFromMs, toMs: SPORADIC.durationMs }],
});

/**
 * The store refuses every call (a 'failed' reply in 1-3 ms) from 2 s to 9 s; inside that, the
 * database itself rejects every query from 4 s to 5 s, so the fallback's own queries fail and its
 * slots must come back.
 */
export const REFUSING = { fromMs: 2000, toMs: 9000, databaseFromMs: 4000, databaseToMs: 5000, durationMs: 12_000 } as const;
export const refusingSpec = (seed: number): WorldSpec => ({
  name: 'store refusing 7 s, database down 1 s inside it',
  seed,
  durationMs: REFUSING.durationMs,
  outages: [{ fromMs: REFUSING.fromMs, toMs: REFUSING.toMs, kind: 'refuse' }],
  databaseOutages: [{ fromMs: REFUSING.databaseFromMs, toMs: REFUSING.databaseToMs }],
});

export const makeBreaker = (exports: Exports) => (clock: BreakerOptions['clock']): Breaker =>
  (exports.createBreaker as (o: BreakerOptions) => Breaker)({ clock, ...BREAKER });

export const protectedRead = (exports: Exports): ReadMaker => exports.createProtectedRead as ReadMaker;

/** No breaker: wait for the store, then the database, for every request. */
export const noBreaker: ReadMaker = (deps) => async (key) => {
  const r = await deps.store.get(key);
  if (r.status === 'ok' && r.value !== undefined) return r.value;
  return deps.origin.fetch(key);
};

/** The breaker alone: a refused or failed store call fails the request; misses still go to the database. */
export const breakerOnly: ReadMaker = (deps) => async (key) => {
  const r = await deps.breaker.call(async () => {
    const reply = await deps.store.get(key);
    if (reply.status !== 'ok') throw new Error(`store ${reply.status}`);
    return reply;
  });
  if (r.status === 'ok' && r.value !== undefined) return r.value;
  return deps.origin.fetch(key);
};

const runs = new WeakMap<object, Map<string, Promise<WorldRun>>>();

/** One run per (code, scenario, seed) per process. */
export function worldRun(key: object, label: string, make: ReadMaker, spec: WorldSpec, breaker: (clock: BreakerOptions['clock']) => Breaker): Promise<WorldRun> {
  let byKey = runs.get(key);
  if (byKey === undefined) runs.set(key, (byKey = new Map()));
  const id = `${label}:${spec.name}:${spec.seed}`;
  let run = byKey.get(id);
  if (run === undefined) byKey.set(id, (run = runWorld(make, spec, breaker)));
  return run;
}

/** The code a run belongs to: its read path's function (the same across loads of one file), else the exports. */
export const codeKey = (exports: Exports): object => (typeof exports.createProtectedRead === 'function' ? exports.createProtectedRead : exports);

export const learnerOutage = (exports: Exports, seed: number): Promise<WorldRun> => worldRun(codeKey(exports), 'protected', protectedRead(exports), outageSpec(seed), makeBreaker(exports));

export const learnerRefusing = (exports: Exports, seed: number): Promise<WorldRun> => worldRun(codeKey(exports), 'protected', protectedRead(exports), refusingSpec(seed), makeBreaker(exports));
