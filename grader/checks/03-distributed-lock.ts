/**
 * Hidden checks for module 03 (distributed lock): one rebuild per boundary for the whole fleet,
 * a crashed holder that only costs its lock's expiry, a slow holder's late write refused by the
 * fence, releases only by the holder, waiters that give up, lock waits measured, and the same
 * fleet-wide figure against a real Redis in real time.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  VirtualClock,
  countReads,
  createEmbeddedStore,
  createMemoryCache,
  createOrigin,
  createRedisStore,
  createRng,
  isHerdError,
  locateRedis,
  percentile,
  realDriver,
  repoRoot,
  type AppDeps,
  type AppFactory,
  type Clock,
  type FleetContext,
  type Origin,
  type OriginValue,
  type ReadThrough,
  type RunOptions,
  type RunResult,
  type SharedStore,
} from '@herd/harness/engine';
import { at, ms, range, runOrThrow, settleAll } from '../src/check-kit.js';
import { HOT_ORIGIN, LOCK, fleetHotKey, redisBursts, type LockOptions } from '../src/scenarios.js';
import type { Exports, ModuleChecks, Outcome } from '../src/types.js';

interface SingleFlight {
  do<T>(key: string, fn: () => Promise<T>): Promise<T>;
}
type LockedDeps = AppDeps & { store: SharedStore; singleFlight: () => SingleFlight; lock: LockOptions };
interface LockedCache extends ReadThrough {
  lockWaits?(): number[];
}

/** The longest one jittered poll may sleep with the reference's backoff (4 x pollMs, x1.5). */
const pollMax = (pollMs: number): number => pollMs * 4 * 1.5;

const app = (exports: Exports): AppFactory => exports.createLockedCache as AppFactory;
const lockedApp = (exports: Exports) => exports.createLockedCache as (deps: LockedDeps) => LockedCache;

/** Module 02's reference single flight, so a bug in the learner's 02 cannot cascade into 03. */
let flightFactory: Promise<() => SingleFlight> | undefined;
function referenceSingleFlight(): Promise<() => SingleFlight> {
  flightFactory ??= (async () => {
    const file = path.join(repoRoot, 'solutions/02-single-flight/single-flight.ts');
    const mod = (await import(pathToFileURL(file).href)) as Exports;
    return mod.createSingleFlight as () => SingleFlight;
  })();
  return flightFactory;
}

/**
 * Run options that hand every instance of one run the same store (one per fleet context), with
 * its reads counted into the run's hit and miss figures.
 */
async function lockOptions(lock: LockOptions = LOCK, storeFor?: (fleet: FleetContext) => SharedStore): Promise<RunOptions<LockedDeps>> {
  const singleFlight = await referenceSingleFlight();
  const stores = new WeakMap<FleetContext, SharedStore>();
  const make = storeFor ?? ((fleet: FleetContext) => createEmbeddedStore(fleet.clock));
  return {
    extend(base, fleet) {
      let store = stores.get(fleet);
      if (store === undefined) stores.set(fleet, (store = countReads(make(fleet), fleet)));
      return { ...base, store, singleFlight, lock };
    },
  };
}

/** One instance's deps, built by hand for the unit-style checks. */
async function handDeps(clock: Clock, store: SharedStore, origin: Origin, instance: string, lock: LockOptions, ttlMs = 10_000): Promise<LockedDeps> {
  return {
    clock,
    rng: createRng(7).fork(`learner:${instance}`),
    origin,
    cache: createMemoryCache(clock),
    ttlMs,
    instance,
    store,
    singleFlight: await referenceSingleFlight(),
    lock,
  };
}

/** Records every acquire and release, to prove only holders release, once per acquire. */
function spyStore(inner: SharedStore) {
  const acquired = new Map<string, number>(); // name + token -> releases seen
  const log = { acquires: 0, releases: 0, foreign: [] as string[], double: [] as string[] };
  const store: SharedStore = {
    ...inner,
    async acquire(name, token, pxMs) {
      const ok = await inner.acquire(name, token, pxMs);
      if (ok) {
        log.acquires++;
        acquired.set(`${name}\u0000${token}`, 0);
      }
      return ok;
    },
    async release(name, token) {
      log.releases++;
      const id = `${name}\u0000${token}`;
      const seen = acquired.get(id);
      if (seen === undefined) log.foreign.push(`release("${name}", "${token}")`);
      else if (seen > 0) log.double.push(`release("${name}", "${token}")`);
      else acquired.set(id, 1);
      return inner.release(name, token);
    },
  };
  const unreleased = (): number => [...acquired.values()].filter((v) => v === 0).length;
  return { store, log, unreleased };
}

/**
 * Module 03's code on a real Redis in real time, 4 instances sharing one store under a fresh
 * prefix whose keys are deleted afterwards. The Redis check and `pnpm bench:redis` share it.
 */
export async function runOnRedis(exports: Exports, url: string, seed: number): Promise<RunResult<LockedDeps>> {
  const store = await createRedisStore({ url });
  try {
    const options = await lockOptions(LOCK, () => store);
    return await runOrThrow(redisBursts(seed), lockedApp(exports), { ...options, driver: realDriver });
  } finally {
    await store.cleanup().catch(() => 0);
    await store.close().catch(() => undefined);
  }
}

const checks: ModuleChecks = {
  app,
  scenario: (seed) => fleetHotKey(seed),
  runOptions: async () => (await lockOptions()) as RunOptions<AppDeps>,
  checks: {
    async 'one rebuild fleet-wide'({ seed, exports }): Promise<Outcome> {
      const { report } = await runOrThrow(fleetHotKey(seed), lockedApp(exports), await lockOptions());
      const series = report.origin.perSecond;
      const worst = report.boundaries.reduce((a, b) => (b.queries > a.queries ? b : a));
      const measured = `max ${worst.queries} per boundary (${report.boundaries.length} boundaries, 4 instances)`;
      if (worst.queries !== 1) {
        return {
          pass: false,
          measured,
          message: `boundary at ${at(worst.start)}: the fleet sent ${worst.queries} queries to the origin ([${worst.byInstance.join(', ')}] by instance), want 1: one instance rebuilds, the others wait for its value`,
          series,
        };
      }
      return { pass: true, measured, series };
    },

    async 'crashed holder'({ exports }): Promise<Outcome> {
      const clock = new VirtualClock();
      const store = createEmbeddedStore(clock);
      const origin = createOrigin(clock, createRng(3).fork('origin'), { ...HOT_ORIGIN });
      const lock = { ...LOCK, pxMs: 300 };
      // Instance "crashed" took the lock and died before writing anything.
      await store.acquire('lock:home', 'crashed:1', lock.pxMs);
      const calls = [];
      for (let i = 0; i < 4; i++) {
        const cache = lockedApp(exports)(await handDeps(clock, store, origin.forInstance(`i${i}`), `i${i}`, lock));
        for (let j = 0; j < 20; j++) calls.push({ label: `i${i}'s get("home") #${j + 1}`, promise: cache.get('home') });
      }
      const out = await settleAll(clock, calls, 120_000);
      const queries = origin.log.length;
      const early = origin.log.filter((q) => q.t < lock.pxMs).length;
      const slowest = Math.max(...out.map((o) => o.at));
      const budget = lock.pxMs + HOT_ORIGIN.latencyMs + HOT_ORIGIN.jitterMs + 2 * pollMax(lock.pollMs);
      const measured = `${queries} ${queries === 1 ? 'query' : 'queries'}, slowest ${ms(slowest)}`;
      if (queries !== 1 || early > 0) {
        return {
          pass: false,
          measured,
          message: `80 requests on 4 instances sent ${queries} queries to the origin (${early} of them while the crashed holder's lock was still alive), want 1 after the lock expired at ${lock.pxMs} ms: wait for the holder, take over when its lock expires`,
        };
      }
      const failed = out.filter((o) => !o.ok);
      if (failed.length > 0) {
        const e = failed[0]!.error;
        return { pass: false, measured, message: `${failed.length} of 80 requests failed (${e instanceof Error ? e.message : String(e)}), want all 80 to get the rebuilt value` };
      }
      if (slowest > budget) {
        return {
          pass: false,
          measured,
          message: `the slowest request waited ${ms(slowest)}, want <= ${budget} ms (lock PX ${lock.pxMs} + one rebuild + two polls of at most ${pollMax(lock.pollMs)} ms): cap the poll backoff at 4 x pollMs, and take the lock as soon as it is gone`,
        };
      }
      return { pass: true, measured: `1 query after the lock expired, slowest ${ms(slowest)} (budget ${budget} ms)` };
    },

    async 'slow holder fenced'({ exports }): Promise<Outcome> {
      const clock = new VirtualClock();
      const store = createEmbeddedStore(clock);
      const lock = { pxMs: 100, maxWaitMs: 5000, pollMs: 20 };
      // The first rebuild takes 300 ms (a GC pause, a slow query); later ones 50 ms.
      let n = 0;
      const originFor = (instance: string): Origin => ({
        async fetch(key) {
          const version = ++n;
          await clock.sleep(version === 1 ? 300 : 50);
          return { key, version, builtAt: clock.now(), by: instance } satisfies OriginValue;
        },
      });
      const slow = lockedApp(exports)(await handDeps(clock, store, originFor('i0'), 'i0', lock));
      const fast = lockedApp(exports)(await handDeps(clock, store, originFor('i1'), 'i1', lock));
      const first = slow.get('home');
      const second = clock.sleep(150).then(() => fast.get('home'));
      await settleAll(clock, [
        { label: 'i0\'s get("home") (the slow holder)', promise: first },
        { label: 'i1\'s get("home") at 150 ms', promise: second },
      ], 120_000);
      const raw = await store.get('home');
      const stored = raw === null ? null : (JSON.parse(raw) as OriginValue | null);
      const measured = stored ? `store holds v${stored.version} by ${stored.by}` : 'store empty';
      if (n < 2) {
        return {
          pass: false,
          measured,
          message: `the origin was queried ${n} time(s), want 2: after the slow holder's ${lock.pxMs} ms lock expired, the next instance should take the lock and rebuild`,
        };
      }
      if (stored?.version !== 2) {
        return {
          pass: false,
          measured,
          message: `the store ends with version ${stored?.version ?? 'none'} (by ${stored?.by ?? '-'}), want version 2 by i1: the slow holder's late write overwrote the newer value; take a fencing token (nextFence) before rebuilding and write with setFenced`,
        };
      }
      return { pass: true, measured: `${measured}; late v1 refused by the fence` };
    },

    async 'release by non-holder'({ seed, exports }): Promise<Outcome> {
      const spy = { current: undefined as ReturnType<typeof spyStore> | undefined };
      const options = await lockOptions(LOCK, (fleet) => (spy.current = spyStore(createEmbeddedStore(fleet.clock))).store);
      await runOrThrow(fleetHotKey(seed), lockedApp(exports), options);
      const { log, unreleased } = spy.current!;
      const measured = `${log.acquires} acquired, ${log.releases} released`;
      if (log.acquires === 0) {
        return { pass: false, measured, message: 'no lock was ever taken: 0 acquire() calls succeeded, want one per rebuild (store.acquire(`lock:${key}`, token, lock.pxMs))' };
      }
      if (log.foreign.length > 0) {
        return { pass: false, measured, message: `${log.foreign[0]} used a token that never acquired that lock, want release only with the holder's own token` };
      }
      if (log.double.length > 0) {
        return { pass: false, measured, message: `${log.double[0]} was called twice, want exactly one release per acquire` };
      }
      if (unreleased() > 0) {
        return { pass: false, measured, message: `${unreleased()} of ${log.acquires} acquired locks were never released, want a release in finally after every rebuild` };
      }
      return { pass: true, measured: `${measured}, all by their holders` };
    },

    async 'waiters give up'({ exports }): Promise<Outcome> {
      const clock = new VirtualClock();
      const store = createEmbeddedStore(clock);
      const origin = createOrigin(clock, createRng(5).fork('origin'), { ...HOT_ORIGIN });
      const lock = { pxMs: 1000, maxWaitMs: 2000, pollMs: 20 };
      // A holder that will not let go for a minute.
      await store.acquire('lock:home', 'stuck:1', 60_000);
      const cache = lockedApp(exports)(await handDeps(clock, store, origin.forInstance('i0'), 'i0', lock));
      const calls = Array.from({ length: 10 }, (_, i) => ({ label: `get("home") #${i + 1}`, promise: cache.get('home') }));
      const out = await settleAll(clock, calls, 120_000);
      const latest = Math.max(...out.map((o) => o.at));
      const timedOut = out.filter((o) => !o.ok && isHerdError(o.error, 'LOCK_WAIT_TIMEOUT'));
      const hi = lock.maxWaitMs + pollMax(lock.pollMs);
      if (origin.log.length > 0 || out.some((o) => o.ok)) {
        return {
          pass: false,
          measured: `${origin.log.length} origin ${origin.log.length === 1 ? 'query' : 'queries'}, done at ${ms(latest)}`,
          message: `requests did not wait for the lock holder: they sent ${origin.log.length} origin ${origin.log.length === 1 ? 'query' : 'queries'} and settled by ${ms(latest)}, want a LOCK_WAIT_TIMEOUT HerdError at about ${lock.maxWaitMs} ms`,
        };
      }
      if (timedOut.length !== out.length) {
        const other = out.find((o) => !timedOut.includes(o))!.error;
        return {
          pass: false,
          measured: `${timedOut.length}/10 LOCK_WAIT_TIMEOUT`,
          message: `got ${other instanceof Error ? other.message : String(other)}, want new HerdError('LOCK_WAIT_TIMEOUT', ...) from @herd/harness`,
        };
      }
      const first = Math.min(...out.map((o) => o.at));
      if (first < lock.maxWaitMs - 1 || latest > hi) {
        return {
          pass: false,
          measured: `gave up at ${ms(first)}-${ms(latest)}`,
          message: `waiters gave up between ${ms(first)} and ${ms(latest)}, want between ${lock.maxWaitMs} and ${hi} ms (maxWaitMs ${lock.maxWaitMs}, not the lock's 60 s expiry)`,
        };
      }
      return { pass: true, measured: `10/10 LOCK_WAIT_TIMEOUT at ${ms(latest)}` };
    },

    async 'lock wait measured'({ seed, exports }): Promise<Outcome> {
      const { fleet } = await runOrThrow(fleetHotKey(seed), lockedApp(exports), await lockOptions());
      const has = fleet.every((f) => typeof (f.app as LockedCache).lockWaits === 'function');
      const waits = has ? fleet.flatMap((f) => (f.app as LockedCache).lockWaits!()) : [];
      if (!has || waits.length === 0) {
        return {
          pass: false,
          measured: has ? '0 waits' : 'no lockWaits()',
          message: `${has ? 'lockWaits() returned no waits' : 'the cache has no lockWaits() method'}: no lock waits recorded, want one entry per waiter (deps.clock.now() when it starts waiting to when the value lands)`,
        };
      }
      const p50 = percentile(waits, 50);
      const p99 = percentile(waits, 99);
      const measured = `p50 ${ms(p50)}, p99 ${ms(p99)} (${waits.length} waits)`;
      if (!(p99 <= LOCK.pxMs) || !(p50 > 0)) {
        return { pass: false, measured, message: `lock waits p50 ${ms(p50)}, p99 ${ms(p99)}, want 0 < p50 and p99 <= the lock's ${LOCK.pxMs} ms expiry` };
      }
      return { pass: true, measured };
    },

    async 'real Redis: one rebuild fleet-wide'({ seed, exports }): Promise<Outcome> {
      const where = await locateRedis();
      if ('skip' in where) return { pass: true, skipped: true, measured: '-', message: where.skip };
      try {
        const { report } = await runOnRedis(exports, where.url, seed);
        const counts = report.boundaries.map((b) => b.queries);
        const measured = `${range(counts)} per boundary (${counts.length} bursts, 4 instances, real time)`;
        if (counts.length === 0) {
          return { pass: false, measured: '0 boundaries', message: 'on Redis, the fleet sent no query to the origin at all, want 1 per burst: the bursts should meet an empty cache' };
        }
        const worst = report.boundaries.reduce((a, b) => (b.queries > a.queries ? b : a));
        if (worst.queries !== 1) {
          return {
            pass: false,
            measured,
            message: `on Redis, burst at ${at(worst.start)}: the fleet sent ${worst.queries} queries to the origin ([${worst.byInstance.join(', ')}] by instance), want 1`,
            series: report.origin.perSecond,
          };
        }
        return { pass: true, measured };
      } finally {
        await where.stop();
      }
    },
  },
};

export default checks;
