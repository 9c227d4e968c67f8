/**
 * Hidden checks for module 03 (distributed lock): one rebuild per boundary for the whole fleet
 * (store round trips that differ per instance, so the races can happen), a crashed holder that
 * only costs its lock's expiry, a slow holder's late write refused by the fence (on a clock that
 * runs ahead), releases only by the holder and even after a failed rebuild, waiters that give up,
 * lock waits that agree with what the harness saw, and the same fleet figure on a real Redis.
 */
import {
  VirtualClock,
  createEmbeddedStore,
  createOrigin,
  createRng,
  isHerdError,
  type Clock,
  type Origin,
  type OriginValue,
  type RunResult,
  type SharedStore,
} from '@herd/harness/engine';
import { auditBoundaries, auditFreshness, worst } from '../../src/cache/audit.js';
import { onRealRedis, runAppOnRedis } from '../../src/cache/on-redis.js';
import { runApp } from '../../src/cache/run-app.js';
import { at, ms, range, settleAll } from '../../src/check-kit.js';
import type { CheckFn, Exports, Outcome } from '../../src/define.js';
import { HOT_ORIGIN, fleetHotKey } from '../../src/scenarios.js';
import { handDeps, lockApp, lockedApp, type LockedCache, type LockedDeps } from './app.js';
import { LOCK, redisBursts, type LockOptions } from './scenarios.js';

/** The longest one jittered poll may sleep with the reference's backoff (4 x pollMs, x1.5). */
const pollMax = (pollMs: number): number => pollMs * 4 * 1.5;

/** The lock of the 'waiters give up' check: waiters must give up at maxWaitMs, long before the holder's minute is up. */
export const WAITERS_LOCK: Readonly<LockOptions> = { pxMs: 1000, maxWaitMs: 2000, pollMs: 20 };

/** Store round trips of 1-4 ms, different per instance: a miss, an acquire and a write can interleave. */
export const STORE_LATENCY = (index: number): number => 1 + index;

/** Records every acquire, release and lock DEL, to prove only holders release, once per acquire. */
function spyStore(inner: SharedStore) {
  const acquired = new Map<string, number>(); // name + token -> releases seen
  const log = { acquires: 0, releases: 0, foreign: [] as string[], double: [] as string[], dels: [] as string[], px: [] as number[], reused: [] as string[] };
  const store: SharedStore = {
    ...inner,
    async acquire(name, token, pxMs) {
      const ok = await inner.acquire(name, token, pxMs);
      if (ok) {
        log.acquires++;
        log.px.push(pxMs);
        // A token an earlier acquire used: a holder that outlived its lock would release this one.
        if (acquired.has(`${name}\u0000${token}`)) log.reused.push(`acquire("${name}", "${token}")`);
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
    async del(name) {
      if ([...acquired.keys()].some((k) => k.startsWith(`${name}\u0000`))) log.dels.push(name);
      return inner.del(name);
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
  return (await runAppOnRedis(url, (store) => (e) => lockApp(e, { store: () => store }), exports, redisBursts(seed))) as RunResult<LockedDeps>;
}

const fleetRun = (exports: Exports, seed: number, store?: (clock: Clock) => SharedStore) =>
  runApp((e) => lockApp(e, { storeLatencyMs: STORE_LATENCY, store: store && ((fleet) => store(fleet.clock)) }), exports, fleetHotKey(seed));

export const checks: Record<string, CheckFn> = {
  async 'one rebuild fleet-wide'({ seed, exports }): Promise<Outcome> {
    const spec = fleetHotKey(seed);
    const { report } = await fleetRun(exports, seed);
    const series = report.origin.perSecond;
    // The TTL runs from the write, which lands a store round trip (up to 4 ms) after the origin built the value.
    const off = auditBoundaries(report, spec) ?? auditFreshness(report, spec, 2 * STORE_LATENCY(3));
    if (off) return { pass: false, measured: `${report.boundaries.length} boundaries`, message: off, series };
    const w = worst(report.boundaries, (b) => b.queries)!;
    const measured = `max ${w.queries} per boundary (${report.boundaries.length} boundaries, 4 instances)`;
    if (w.queries !== 1) {
      return {
        pass: false,
        measured,
        message: `boundary at ${at(w.start)}: the fleet sent ${w.queries} queries to the origin ([${w.byInstance.join(', ')}] by instance), want 1: one instance rebuilds, the others wait for its value`,
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
    // The slow holder's clock runs 5 s ahead of the other's, as unsynchronised hosts' do: a
    // fence taken from a clock would make the stale write look newer.
    const ahead: Clock = { now: () => clock.now() + 5000, sleep: (t) => clock.sleep(t) };
    const slow = lockedApp(exports)(await handDeps(ahead, store, originFor('i0'), 'i0', lock));
    const fast = lockedApp(exports)(await handDeps(clock, store, originFor('i1'), 'i1', lock));
    const first = slow.get('home');
    const second = clock.sleep(150).then(() => fast.get('home'));
    await settleAll(
      clock,
      [
        { label: 'i0\'s get("home") (the slow holder)', promise: first },
        { label: 'i1\'s get("home") at 150 ms', promise: second },
      ],
      120_000,
    );
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
        message: `the store ends with version ${stored?.version ?? 'none'} (by ${stored?.by ?? '-'}), want version 2 by i1: the slow holder's late write overwrote the newer value; take a fencing token from store.nextFence (not from a clock) before rebuilding and write with setFenced`,
      };
    }
    return { pass: true, measured: `${measured}; late v1 refused by the fence` };
  },

  async 'release by non-holder'({ seed, exports }): Promise<Outcome> {
    let spy: ReturnType<typeof spyStore> | undefined;
    await fleetRun(exports, seed, (clock) => (spy = spyStore(createEmbeddedStore(clock))).store);
    const { log, unreleased } = spy!;
    const measured = `${log.acquires} acquired, ${log.releases} released`;
    if (log.acquires === 0) {
      return { pass: false, measured, message: 'no lock was ever taken: 0 acquire() calls succeeded, want one per rebuild (store.acquire(`lock:${key}`, token, lock.pxMs))' };
    }
    const px = log.px.find((p) => p !== LOCK.pxMs);
    if (px !== undefined) {
      return { pass: false, measured, message: `a lock was acquired with PX ${px} ms, want lock.pxMs (${LOCK.pxMs} ms): the expiry is what frees the lock of a holder that crashed` };
    }
    if (log.dels.length > 0) {
      return {
        pass: false,
        measured: `${measured}, ${log.dels.length} del()`,
        message: `the lock was released with store.del("${log.dels[0]}"): a release that ignores the token deletes whoever holds the lock now; use store.release(name, token) (compare-and-delete)`,
      };
    }
    if (log.reused.length > 0) {
      return {
        pass: false,
        measured: `${measured}, ${log.reused.length} reused tokens`,
        message: `${log.reused[0]} took the lock with a token an earlier acquire had used, want a fresh token per acquire (deps.instance plus deps.rng): a holder whose lock expired would release the next holder's lock with it`,
      };
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

  async 'failed rebuild releases'({ exports }): Promise<Outcome> {
    const clock = new VirtualClock();
    const spy = spyStore(createEmbeddedStore(clock));
    const origin = createOrigin(clock, createRng(4).fork('origin'), { ...HOT_ORIGIN });
    // The first rebuild fails; the origin is fine again at once.
    origin.failNext(1);
    const lock = { ...LOCK };
    const i0 = lockedApp(exports)(await handDeps(clock, spy.store, origin.forInstance('i0'), 'i0', lock));
    const i1 = lockedApp(exports)(await handDeps(clock, spy.store, origin.forInstance('i1'), 'i1', lock));
    const failing = i0.get('home');
    const later = clock.sleep(HOT_ORIGIN.latencyMs + HOT_ORIGIN.jitterMs + 30).then(() => i1.get('home'));
    const out = await settleAll(
      clock,
      [
        { label: 'i0\'s get("home") (its rebuild fails)', promise: failing },
        { label: 'i1\'s get("home") just after the failure', promise: later },
      ],
      120_000,
    );
    if (spy.log.acquires === 0) {
      return { pass: false, measured: '0 locks taken', message: 'no lock was ever taken: 0 acquire() calls succeeded, want the failing rebuild to hold the lock and release it when it throws' };
    }
    if (out[0]!.ok) {
      return { pass: false, measured: 'the failed rebuild returned a value', message: "i0's rebuild failed at the origin but its get() resolved, want the origin's error passed to the caller" };
    }
    const started = HOT_ORIGIN.latencyMs + HOT_ORIGIN.jitterMs + 30;
    const took = out[1]!.at - started;
    const budget = HOT_ORIGIN.latencyMs + HOT_ORIGIN.jitterMs + 2 * pollMax(lock.pollMs);
    const measured = `next get took ${ms(took)}`;
    if (!out[1]!.ok) {
      const e = out[1]!.error;
      return { pass: false, measured: 'next get failed', message: `the get() after a failed rebuild failed too (${e instanceof Error ? e.message : String(e)}), want a fresh rebuild` };
    }
    if (took > budget) {
      return {
        pass: false,
        measured,
        message: `the get() after a failed rebuild took ${ms(took)}, want <= ${budget} ms (one rebuild): the failed holder kept its lock until it expired (${lock.pxMs} ms); release it in finally, also when the rebuild throws`,
      };
    }
    if (spy.unreleased() > 0) {
      return { pass: false, measured, message: `${spy.unreleased()} lock(s) never released after a failed rebuild, want a release in finally` };
    }
    return { pass: true, measured: `${measured}: the failed holder released its lock` };
  },

  async 'waiters give up'({ exports }): Promise<Outcome> {
    const clock = new VirtualClock();
    const store = createEmbeddedStore(clock);
    const origin = createOrigin(clock, createRng(5).fork('origin'), { ...HOT_ORIGIN });
    const lock = WAITERS_LOCK;
    // A holder that will not let go for a minute.
    await store.acquire('lock:home', 'stuck:1', 60_000);
    const cache = lockedApp(exports)(await handDeps(clock, store, origin.forInstance('i0'), 'i0', lock));
    const calls = Array.from({ length: 10 }, (_, i) => ({ label: `get("home") #${i + 1}`, promise: cache.get('home') }));
    const out = await settleAll(clock, calls, 120_000);
    const latest = Math.max(...out.map((o) => o.at));
    const first = Math.min(...out.map((o) => o.at));
    const timedOut = out.filter((o) => !o.ok && isHerdError(o.error, 'LOCK_WAIT_TIMEOUT'));
    const hi = lock.maxWaitMs + pollMax(lock.pollMs);
    const queries = origin.log.length;
    if (latest > hi) {
      return {
        pass: false,
        measured: `waited ${ms(latest)}`,
        message: `requests waited ${(latest / 1000).toFixed(1)} s, past maxWaitMs (${lock.maxWaitMs} ms)${queries > 0 ? `, then sent ${queries} origin ${queries === 1 ? 'query' : 'queries'}` : ''}: give up with new HerdError('LOCK_WAIT_TIMEOUT', ...) once lock.maxWaitMs has passed`,
      };
    }
    if (queries > 0 || out.some((o) => o.ok)) {
      return {
        pass: false,
        measured: `${queries} origin ${queries === 1 ? 'query' : 'queries'}, done at ${ms(latest)}`,
        message: `requests did not wait for the lock holder: they sent ${queries} origin ${queries === 1 ? 'query' : 'queries'} and settled by ${ms(latest)}, want a LOCK_WAIT_TIMEOUT HerdError at about ${lock.maxWaitMs} ms`,
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
    if (first < lock.maxWaitMs - 1) {
      return {
        pass: false,
        measured: `gave up at ${ms(first)}-${ms(latest)}`,
        message: `waiters gave up between ${ms(first)} and ${ms(latest)}, want between ${lock.maxWaitMs} and ${hi} ms (lock.maxWaitMs is ${lock.maxWaitMs})`,
      };
    }
    return { pass: true, measured: `10/10 LOCK_WAIT_TIMEOUT at ${ms(latest)}` };
  },

  async 'lock wait measured'({ seed, exports, value = LOCK.pxMs }): Promise<Outcome> {
    const { fleet, report, served } = await fleetRun(exports, seed);
    const has = fleet.every((f) => typeof (f.app as LockedCache).lockWaits === 'function');
    if (!has) {
      return { pass: false, measured: 'no lockWaits()', message: 'the cache has no lockWaits() method: no lock waits recorded, want one entry per waiter (deps.clock.now() when it starts waiting to when the value lands)' };
    }
    let total = 0;
    const all: number[] = [];
    for (const [i, member] of fleet.entries()) {
      const got = [...(member.app as LockedCache).lockWaits!()].sort((a, b) => a - b);
      // What the harness saw: at each boundary this instance did not rebuild, its first request
      // waited for the holder's value; it is the slowest request of the instance in that window.
      const want: number[] = [];
      for (const b of report.boundaries) {
        if (b.byInstance[i] !== 0) continue;
        let slowest = -1;
        for (let r = 0; r < served.n; r++) {
          if (served.instance[r] !== i) continue;
          const s = served.start[r]!;
          if (s >= b.start - 50 && s <= b.end) slowest = Math.max(slowest, served.latency[r]!);
        }
        if (slowest >= 0) want.push(slowest);
      }
      want.sort((a, b) => a - b);
      const who = `i${i}`;
      if (got.length === 0 && want.length > 0) {
        return { pass: false, measured: `${who}: 0 waits`, message: `${who}'s lockWaits() returned no waits: no lock waits recorded, want one entry per waiter (${want.length} for ${who}: deps.clock.now() when it starts waiting to when the value lands)` };
      }
      if (got.length !== want.length) {
        const shared = got.length > want.length * 2 ? ' (every instance\'s waits: is the list a module-level variable?)' : '';
        return { pass: false, measured: `${who}: ${got.length} waits`, message: `${who}'s lockWaits() returned ${got.length} waits, want ${want.length}: the harness saw ${who} wait for another instance's rebuild ${want.length} times${shared}` };
      }
      // The slowest request's latency includes one store read before the wait starts.
      const tolerance = 2 * STORE_LATENCY(i) + 10;
      const k = got.findIndex((g, j) => !(Math.abs(g - want[j]!) <= tolerance));
      if (k >= 0) {
        return {
          pass: false,
          measured: `${who}: ${ms(got[k]!)} vs ${ms(want[k]!)}`,
          message: `${who}'s lockWaits() reported a wait of ${+got[k]!.toFixed(1)} ms where the harness measured ${ms(want[k]!)} (want within ${tolerance} ms): time each wait with deps.clock.now(), from when the waiter starts waiting until the value lands`,
        };
      }
      total += got.length;
      all.push(...got);
    }
    all.sort((a, b) => a - b);
    const p99 = all[Math.min(all.length, Math.ceil(0.99 * all.length)) - 1] ?? 0;
    const p50 = all[Math.max(0, Math.ceil(0.5 * all.length) - 1)] ?? 0;
    const measured = `p50 ${ms(p50)}, p99 ${ms(p99)} (${total} waits, as measured)`;
    if (!(p99 <= value)) {
      return { pass: false, measured, message: `lock waits p99 ${ms(p99)}, want <= the lock's ${value} ms expiry` };
    }
    return { pass: true, measured };
  },

  async 'real Redis: one rebuild fleet-wide'({ seed, exports }): Promise<Outcome> {
    return onRealRedis(async (url) => {
      const { report } = await runOnRedis(exports, url, seed);
      const counts = report.boundaries.map((b) => b.queries);
      const measured = `${range(counts)} per boundary (${counts.length} bursts, 4 instances, real time)`;
      const w = worst(report.boundaries, (b) => b.queries);
      if (w === undefined) {
        return { pass: false, measured: '0 boundaries', message: 'on Redis, the fleet sent no query to the origin at all, want 1 per burst: the bursts should meet an empty cache' };
      }
      if (w.queries !== 1) {
        return {
          pass: false,
          measured,
          message: `on Redis, burst at ${at(w.start)}: the fleet sent ${w.queries} queries to the origin ([${w.byInstance.join(', ')}] by instance), want 1`,
          series: report.origin.perSecond,
        };
      }
      return { pass: true, measured };
    });
  },
};

export type { LockOptions };
