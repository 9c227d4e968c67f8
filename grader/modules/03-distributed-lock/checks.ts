/**
 * Hidden checks for module 03 (distributed lock): one rebuild per boundary for the whole fleet
 * (store round trips that differ per instance, so the races can happen; absent keys and cold keys
 * too), one waiter's lock commands per instance, a crashed holder (the harness's, or one of the
 * fleet that died holding the lock) that only costs its lock's expiry, a slow holder's late write
 * refused by the fence (on a clock that runs ahead), lock commands that keep the contract, a
 * failed rebuild (also one that fails after its lock expired) that frees only its own lock,
 * waiters that give up at maxWaitMs (also behind a chain of holders that die), lock waits that
 * agree with what the harness saw on every path, and the same fleet figure on a real Redis.
 */
import {
  VirtualClock,
  createEmbeddedStore,
  createOrigin,
  createRng,
  isHerdError,
  withLatency,
  type Clock,
  type Origin,
  type OriginValue,
  type RunResult,
  type ScenarioSpec,
  type SharedStore,
} from '@herd/harness/engine';
import { auditBoundaries, worst } from '../../src/cache/audit.js';
import { onRealRedis, runAppOnRedis } from '../../src/cache/on-redis.js';
import { keyName } from '../../src/cache/per-key.js';
import { runApp } from '../../src/cache/run-app.js';
import { loggedStore, type StoreCommand } from '../../src/cache/store-log.js';
import { at, ms, range, settleAll } from '../../src/check-kit.js';
import type { CheckFn, Exports, Outcome } from '../../src/define.js';
import { describeLearnerError } from '../../src/learner-error.js';
import { HOT_ORIGIN, fleetHotKey } from '../../src/scenarios.js';
import { handDeps, lockApp, lockedApp, type LockedCache, type LockedDeps } from './app.js';
import { auditLockCommands, harnessWaits, lockNames, type Req, type Wait } from './lock-log.js';
import { LOCK, fleetManyKeys, redisBursts, type LockOptions } from './scenarios.js';

/** The longest one jittered poll may sleep with the reference's backoff (4 x pollMs, x1.5). */
const pollMax = (pollMs: number): number => pollMs * 4 * 1.5;

/** The lock of the 'waiters give up' check: waiters must give up at maxWaitMs, long before the holder's minute is up. */
export const WAITERS_LOCK: Readonly<LockOptions> = { pxMs: 1000, maxWaitMs: 2000, pollMs: 20 };

/** Store round trips of 1-4 ms, different per instance: a miss, an acquire and a write can interleave. */
export const STORE_LATENCY = (index: number): number => 1 + index;
const rttOf = (instance: string): number => STORE_LATENCY(Number(instance.slice(1)) || 0);

/** The lock of the crashed-holder runs: a short expiry, so the take-over is what the waiters wait for. */
const CRASH_LOCK: Readonly<LockOptions> = { ...LOCK, pxMs: 300 };

/** A learner cache built outside a run, under the clock's guard. */
const make = (clock: VirtualClock, exports: Exports, deps: LockedDeps): LockedCache => clock.within(() => lockedApp(exports)(deps));

/** A get() started outside a run, under the clock's guard. */
const call = (clock: VirtualClock, cache: LockedCache, key = 'home'): Promise<OriginValue | null> => clock.within(() => cache.get(key));

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A fleet run with every store command logged, and each instance's lockWaits() read as it ended. */
interface WatchedRun {
  spec: ScenarioSpec;
  /** The run's report, first failure and fleet (not its per-request log: `requests` has what the checks read). */
  run: Pick<RunResult<LockedDeps>, 'report' | 'failure' | 'fleet'>;
  log: StoreCommand[];
  /** Each instance's lockWaits() at the end of the run; undefined when it has none. */
  waits: Array<number[] | undefined>;
  /** The requests that did more than one store read (a hit is one round trip): the ones a wait can start from. */
  requests: Req[];
}

/**
 * The fleet runs, once per code, scenario and seed: 'one rebuild fleet-wide' reads both,
 * 'one waiter per instance' the hot key's, 'release by non-holder' and 'lock wait measured' the
 * 40 keys', each measuring its own property of the same run.
 */
const watched = new WeakMap<Exports, Map<string, Promise<WatchedRun>>>();

function watchedRun(exports: Exports, spec: ScenarioSpec): Promise<WatchedRun> {
  let runs = watched.get(exports);
  if (runs === undefined) watched.set(exports, (runs = new Map()));
  const id = `${spec.name}\u0000${spec.seed}`;
  let run = runs.get(id);
  if (run === undefined) {
    run = (async () => {
      const log: StoreCommand[] = [];
      // Every command but the GETs of values (one per request): those the checks never read.
      const wrapStore = (instance: string, store: SharedStore, clock: Clock) => loggedStore(store, clock, instance, log, (op, name) => op !== 'get' || /lock/i.test(name));
      const result = (await runApp((e) => lockApp(e, { storeLatencyMs: STORE_LATENCY, wrapStore }), exports, spec, { allowFailures: true })) as RunResult<LockedDeps>;
      const waits = result.fleet.map((f) => {
        const app = f.app as LockedCache;
        return typeof app.lockWaits === 'function' ? [...app.lockWaits()] : undefined;
      });
      const { served } = result;
      const requests: Req[] = [];
      for (let i = 0; i < served.n; i++) {
        const instance = `i${served.instance[i]}`;
        if (served.latency[i]! <= rttOf(instance)) continue;
        requests.push({ instance, key: served.keys[served.key[i]!]!, start: served.start[i]!, end: served.start[i]! + served.latency[i]! });
      }
      return { spec, run: { report: result.report, failure: result.failure, fleet: result.fleet }, log, waits, requests };
    })();
    runs.set(id, run);
  }
  return run;
}

/** Module 03's code on a real Redis in real time, 4 instances sharing one store under a fresh prefix whose keys are deleted afterwards. The Redis check and `pnpm bench:redis` share it. */
export async function runOnRedis(exports: Exports, url: string, seed: number): Promise<RunResult<LockedDeps>> {
  return (await runAppOnRedis(url, (store) => (e) => lockApp(e, { store: () => store }), exports, redisBursts(seed))) as RunResult<LockedDeps>;
}

/** The worst boundary of a run, with a hint when a holder's fenced write was refused in it (its value never landed). */
function worstBoundary(w: WatchedRun): { queries: number; message?: string } {
  const { report } = w.run;
  const b = worst(report.boundaries, (x) => x.queries);
  if (b === undefined || b.queries <= 1) return { queries: b?.queries ?? 0 };
  const absent = w.spec.origin.absent?.(b.key) ?? false;
  const refused = w.log.find((c) => c.op === 'setFenced' && c.name === b.key && c.result === false && c.sent >= b.start - 100 && c.sent <= b.end + 100);
  const why = refused
    ? `; ${refused.instance}'s fenced write (fence ${String(refused.args[1])}) was refused there, an older fence than one already accepted, so its value never landed: take a new store.nextFence(key) for every rebuild`
    : absent
      ? ': a cached null is a value too (the key does not exist); a waiter or a re-check that treats it as "not there yet" rebuilds again: test for a missing entry (store.get gave null), not for a falsy value'
      : ': one instance rebuilds, the others wait for its value';
  const where = w.spec.keys?.kind === 'hot' ? '' : ` of ${keyName(w.spec, b.key)}`;
  return {
    queries: b.queries,
    message: `${w.spec.name}: boundary${where} at ${at(b.start)}: the fleet sent ${b.queries} queries to the origin ([${b.byInstance.join(', ')}] by instance), want 1${why}`,
  };
}

/** A fleet run whose requests failed: one line, naming the learner's error. */
function failures(w: WatchedRun, file: string): string | undefined {
  const f = w.run.failure;
  if (f === undefined) return undefined;
  return `${w.spec.name}: ${f.count} of ${w.run.report.requests} requests failed (${describeLearnerError(f.error, file)}), want every one answered`;
}

/**
 * Each instance's lockWaits() against the waits the harness saw of it: the same count, and each
 * within one store round trip (plus 2 ms) of the harness's figure, which runs from the miss (the
 * request's start plus one round trip) to the value, the take-over or the give-up. Returns the
 * first disagreement and the worst deviation beyond a round trip.
 */
function compareWaits(where: string, waits: ReadonlyArray<number[] | undefined>, ids: readonly string[], want: readonly Wait[], rtt: (instance: string) => number): { problem?: string; measured: string; deviation: number; all: number[] } {
  let deviation = 0;
  let worstPair: { who: string; got: number; want: Wait; tolerance: number } | undefined;
  const all: number[] = [];
  for (const [i, who] of ids.entries()) {
    const listed = waits[i];
    if (listed === undefined) {
      return { problem: 'the cache has no lockWaits() method: no lock waits recorded, want one entry per waiter (deps.clock.now() when it starts waiting to when the value lands)', measured: 'no lockWaits()', deviation: Infinity, all };
    }
    const got = [...listed].sort((a, b) => a - b);
    const mine = want.filter((w) => w.instance === who).sort((a, b) => a.ms - b.ms);
    const tolerance = rtt(who) + 2;
    const how = (w: Wait): string => (w.how === 'value' ? 'until the value reached it' : w.how === 'took the lock' ? "until it took the lock (the holder's had expired)" : 'until it gave up');
    if (got.length !== mine.length) {
      const missing = mine.length > got.length;
      const example = missing ? mine[mine.length - 1] : undefined;
      const timedOut = example !== undefined && /stuck/.test(where);
      const shared = got.length > mine.length * 2 ? " (more than twice as many: a list every instance shares, or one entry per request instead of one per waiter?)" : '';
      const dev = missing ? (example?.ms ?? 0) : Math.max(...got.slice(mine.length));
      return {
        problem:
          got.length === 0
            ? `${where}: ${who}'s lockWaits() returned no waits: no lock waits recorded, want ${mine.length} (the harness saw ${who} wait ${ms(example!.ms)} ${timedOut ? 'and give up with LOCK_WAIT_TIMEOUT: a timeout is a wait too, push it before you throw' : how(example!)})`
            : `${where}: ${who}'s lockWaits() returned ${got.length} waits, want ${mine.length}: the harness saw ${who} wait for another instance's rebuild ${mine.length} times${shared}${timedOut ? ': a timeout is a wait too, push it before you throw' : ''}`,
        measured: `${who}: ${got.length} waits`,
        deviation: dev,
        all,
      };
    }
    for (const [j, g] of got.entries()) {
      const w = mine[j]!;
      const off = Math.abs(g - w.ms);
      const beyond = Number.isFinite(off) ? off - rtt(who) : Infinity;
      if (!(beyond <= deviation)) {
        deviation = beyond;
        worstPair = { who, got: g, want: w, tolerance };
      }
    }
    all.push(...got);
  }
  if (worstPair !== undefined && !(deviation <= 2)) {
    const { who, got: g, want: w, tolerance } = worstPair;
    const how = w.how === 'value' ? 'until the value reached it' : w.how === 'took the lock' ? "until it took the lock (the holder's had expired)" : 'until it gave up';
    return {
      problem: `${where}: ${who}'s lockWaits() reported a wait of ${+g.toFixed(1)} ms where the harness measured ${ms(w.ms)} (want within ${tolerance} ms), for the wait ${how}: time each wait with deps.clock.now(), once per wait, from its first acquire attempt until the value lands (or the waiter takes the lock, or gives up)`,
      measured: `${who}: ${ms(g)} vs ${ms(w.ms)}`,
      deviation,
      all,
    };
  }
  return { measured: `${all.length} waits as measured`, deviation, all };
}

/**
 * The harness's holder holds the lock with its value built; it writes the value and releases the
 * lock right after i0's `after`-th read of the key found nothing. What i0 then did: its origin
 * queries and its answer; undefined when i0 never read the key that often (the race never came).
 */
async function lateHolder(exports: Exports, seed: number, after: number) {
  const clock = new VirtualClock();
  const inner = createEmbeddedStore(clock);
  const origin = createOrigin(clock, createRng(seed).fork('origin'), { ...HOT_ORIGIN });
  await inner.acquire('lock:home', 'h:1', LOCK.pxMs);
  const built: OriginValue = { key: 'home', version: 1, builtAt: 0, by: 'h' };
  let reads = 0;
  const store: SharedStore = {
    ...inner,
    async get(name) {
      const raw = await inner.get(name);
      if (name === 'home' && raw === null && ++reads === after) {
        await inner.setFenced('home', JSON.stringify(built), await inner.nextFence('home'), 10_000);
        await inner.release('lock:home', 'h:1');
      }
      return raw;
    },
  };
  const cache = make(clock, exports, await handDeps(clock, store, origin.forInstance('i0'), 'i0', LOCK, seed));
  const [out] = await settleAll(clock, [{ label: 'i0\'s get("home") in the race', promise: call(clock, cache) }], 120_000);
  if (reads < after) return undefined;
  const value = out!.value as OriginValue | null | undefined;
  return { queries: origin.log.length, ok: out!.ok, value, by: value?.by, error: out!.error };
}

/** A hand-built run's instances, each with its own store round trip, logged. */
async function handFleet(clock: VirtualClock, exports: Exports, store: SharedStore, origin: (instance: string) => Origin, lock: LockOptions, seed: number, rtts: readonly number[]) {
  const log: StoreCommand[] = [];
  const ids = rtts.map((_, i) => `i${i}`);
  const caches: LockedCache[] = [];
  for (const [i, id] of ids.entries()) {
    const mine = loggedStore(withLatency(store, clock, rtts[i]!), clock, id, log);
    caches.push(make(clock, exports, await handDeps(clock, mine, origin(id), id, lock, seed)));
  }
  return { log, ids, caches, rtt: (id: string) => rtts[Number(id.slice(1))] ?? 0 };
}

export const checks: Record<string, CheckFn> = {
  async 'one rebuild fleet-wide'({ seed, exports, file }): Promise<Outcome> {
    // The many-keys run first: a value served past its TTL shows there by seconds (a cold key).
    const many = await watchedRun(exports, fleetManyKeys(seed));
    const hot = await watchedRun(exports, fleetHotKey(seed));
    const series = hot.run.report.origin.perSecond;
    const off = auditBoundaries(hot.run.report, hot.spec);
    if (off) return { pass: false, measured: `${hot.run.report.boundaries.length} boundaries`, message: off, series };
    let figure = 0;
    const races = [await lateHolder(exports, seed, 1), await lateHolder(exports, seed, 2)];
    const raced = races.some((r) => r !== undefined && r.queries > 0);
    for (const w of [hot, many]) {
      const b = worstBoundary(w);
      figure = Math.max(figure, b.queries);
      if (b.message !== undefined) {
        // The race below, when it fails too, says why: a winner that never read the store again.
        const why = raced && lockNames(w.log).size > 0 && !/fence|null/.test(b.message) ? ' (and a rebuild that landed between a miss and the acquire was rebuilt again: after winning the lock, read the store once more)' : '';
        return { pass: false, measured: `max ${b.queries} per boundary (${w.spec.name})`, message: `${b.message}${why}`, series, figure: b.queries, bound: 1 };
      }
    }
    for (const w of [hot, many]) {
      const failed = failures(w, file);
      if (failed) return { pass: false, measured: `${w.run.failure!.count} failed requests`, message: failed, series, figure, bound: 1 };
    }
    // The race the fleet meets now and then, on purpose: the holder finishes right after i0's
    // miss, or right after one of its polls found nothing; the lock i0 then takes is free, and
    // the value is already there.
    for (const [k, race] of races.entries()) {
      const after = k + 1;
      if (race === undefined) continue;
      figure = Math.max(figure, 1 + race.queries);
      const when = after === 1 ? 'its miss and its acquire' : 'a poll that found nothing and its next acquire';
      if (race.queries > 0) {
        return {
          pass: false,
          measured: `${1 + race.queries} queries in the race`,
          message: `another instance's rebuild landed (value written, lock released) between i0's ${when}: i0 took the free lock and queried the origin too: the fleet sent ${1 + race.queries} queries to the origin for one boundary, want 1: after winning the lock, read the store once more and serve the value that landed`,
          series,
          figure,
          bound: 1,
        };
      }
      if (!race.ok || race.by !== 'h') {
        return {
          pass: false,
          measured: 'a wrong answer in the race',
          message: `another instance's rebuild landed between i0's ${when}: i0's get() ${race.ok ? `resolved to ${JSON.stringify(race.value)}` : `failed (${errorText(race.error)})`}, want the value that landed`,
          series,
          figure,
          bound: 1,
        };
      }
    }
    const measured = `max ${figure} per boundary (${hot.run.report.boundaries.length} boundaries; ${many.run.report.boundaries.length} on 40 keys)`;
    return { pass: true, measured, series, figure, bound: 1 };
  },

  async 'one waiter per instance'({ seed, exports }): Promise<Outcome> {
    const w = await watchedRun(exports, fleetHotKey(seed));
    const locks = lockNames(w.log);
    const audit = auditLockCommands(w.log, LOCK.pxMs);
    if (audit.acquired === 0) return { pass: false, measured: '0 locks taken', message: audit.problem };
    const waits = harnessWaits(w.log, w.requests, rttOf);
    const bounds = w.run.report.boundaries;
    // Each lock command and each wait belongs to the last boundary that began (100 ms of slack) before it.
    const slot = (t: number): number => {
      let k = -1;
      for (const [j, b] of bounds.entries()) if (b.start - 100 <= t) k = j;
      return k;
    };
    const ids = w.run.fleet.map((_, i) => `i${i}`);
    // The figure: lock commands over the allowance, at the worst instance and boundary (<= 1).
    let worstRatio = -1;
    let counts = '';
    let problem: string | undefined;
    for (const [j, b] of bounds.entries()) {
      for (const who of ids) {
        const commands = w.log.filter((c) => c.instance === who && locks.has(c.name) && slot(c.sent) === j).length;
        const waited = waits.filter((x) => x.instance === who && slot(x.start) === j).reduce((s, x) => s + x.ms, 0);
        // One waiter: an acquire, a poll at most every pollMs / 2 while it waits, a release.
        const allowed = 3 + Math.ceil(waited / (LOCK.pollMs / 2));
        if (!(commands / allowed > worstRatio)) continue;
        worstRatio = commands / allowed;
        counts = `${commands} lock commands of ${allowed} allowed`;
        const doing = waited > 0 ? `while it waited ${ms(waited)}` : 'though it took the lock itself';
        problem =
          commands <= allowed
            ? undefined
            : `boundary at ${at(b.start)}: ${who} sent ${commands} lock commands (acquire, pttl, release) ${doing}, want at most ${allowed} (one waiter's: an acquire, a poll every pollMs / 2 or more, a release): its requests should share one wait; make deps.singleFlight() once, in createLockedCache, not per get()`;
      }
    }
    const measured = `at worst ${counts} (one instance, one boundary)`;
    const figure = +worstRatio.toFixed(2);
    if (problem) return { pass: false, measured, message: problem, figure, bound: 1 };
    return { pass: true, measured, figure, bound: 1 };
  },

  async 'crashed holder'({ seed, exports }): Promise<Outcome> {
    const lock = CRASH_LOCK;
    const budget = lock.pxMs + HOT_ORIGIN.latencyMs + HOT_ORIGIN.jitterMs + 2 * pollMax(lock.pollMs);
    // The longest a waiter may go without a store command: one capped, jittered sleep (+1 ms).
    const gapBound = pollMax(lock.pollMs) + 1;
    let slowestAll = 0;
    let gapAll = 0;
    // A: the harness's holder took the lock and died before writing anything. B: i0 of the
    // fleet took it and died mid-rebuild (its query never answers); the others arrive after.
    for (const phase of ['A', 'B'] as const) {
      const clock = new VirtualClock();
      const store = createEmbeddedStore(clock);
      const origin = createOrigin(clock, createRng(seed).fork('origin'), { ...HOT_ORIGIN });
      let dead = 0;
      const deadOrigin: Origin = {
        fetch: () => {
          dead++;
          return new Promise<never>(() => {});
        },
      };
      if (phase === 'A') await store.acquire('lock:home', 'crashed:1', lock.pxMs);
      const log: StoreCommand[] = [];
      const seen = (id: string): SharedStore => loggedStore(store, clock, id, log);
      const calls: Array<{ label: string; instance: string; start: number; promise: Promise<OriginValue | null> }> = [];
      const first = phase === 'A' ? 0 : 1;
      if (phase === 'B') {
        const holder = make(clock, exports, await handDeps(clock, seen('i0'), deadOrigin, 'i0', lock, seed));
        void call(clock, holder).catch(() => undefined);
      }
      for (let i = first; i < 4; i++) {
        const cache = make(clock, exports, await handDeps(clock, seen(`i${i}`), origin.forInstance(`i${i}`), `i${i}`, lock, seed));
        for (let j = 0; j < 20; j++) {
          const promise = phase === 'A' ? call(clock, cache) : clock.sleep(20).then(() => cache.get('home'));
          calls.push({ label: `i${i}'s get("home") #${j + 1}`, instance: `i${i}`, start: phase === 'A' ? 0 : 20, promise });
        }
      }
      const n = calls.length;
      const out = await settleAll(clock, calls, 120_000);
      const queries = origin.log.length;
      const early = origin.log.filter((q) => q.t < lock.pxMs).length;
      const slowest = Math.max(...out.map((o) => o.at));
      slowestAll = Math.max(slowestAll, slowest);
      // The longest stretch a waiter went without a store command while it waited: its longest sleep.
      const requests: Req[] = calls.map((c, k) => ({ instance: c.instance, key: 'home', start: c.start, end: out[k]!.at }));
      let gap = { ms: 0, who: '', at: 0 };
      for (const w of harnessWaits(log, requests, () => 0)) {
        let last = w.start;
        for (const c of log) {
          if (c.instance !== w.instance || c.sent < w.start || c.sent > w.end) continue;
          if (c.sent - last > gap.ms) gap = { ms: c.sent - last, who: w.instance, at: last };
          last = c.sent;
        }
      }
      gapAll = Math.max(gapAll, gap.ms);
      const who = phase === 'A' ? "the crashed holder's" : "i0's (it died holding the lock)";
      const what = phase === 'A' ? `${n} requests on 4 instances` : `i0 took the lock and died mid-rebuild; ${n} requests on i1-i3`;
      const measured = `${queries} ${queries === 1 ? 'query' : 'queries'}, slowest ${ms(slowest)}`;
      if (phase === 'B' && dead === 0) {
        return { pass: false, measured, message: `${what}: i0 never queried the origin, want i0 (first to miss) to take the lock and rebuild`, figure: queries, bound: 1 };
      }
      if (queries !== 1 || early > 0) {
        return {
          pass: false,
          measured,
          message: `${what} sent ${queries} queries to the origin (${early} of them while ${who} lock was still alive), want 1 after the lock expired at ${lock.pxMs} ms: wait for the holder, take over when its lock expires`,
          figure: queries,
          bound: 1,
        };
      }
      const failed = out.filter((o) => !o.ok);
      if (failed.length > 0) {
        return { pass: false, measured, message: `${what}: ${failed.length} of ${n} requests failed (${errorText(failed[0]!.error)}), want all ${n} to get the rebuilt value`, figure: failed.length, bound: 0 };
      }
      if (gap.ms > gapBound) {
        return {
          pass: false,
          measured: `${measured}, a ${ms(gap.ms)} poll`,
          message: `${what}: ${gap.who} waited ${ms(gap.ms)} between two polls (from ${ms(gap.at)}), want <= ${gapBound} ms (4 x pollMs, x1.5 jitter): cap the poll backoff at 4 x pollMs, or waiters notice the value or a free lock long after it is there`,
          figure: gap.ms,
          bound: gapBound,
        };
      }
      if (slowest > budget) {
        return {
          pass: false,
          measured,
          message: `${what}: the slowest was answered at ${ms(slowest)}, want <= ${budget} ms (lock PX ${lock.pxMs} + one rebuild + two polls of at most ${pollMax(lock.pollMs)} ms): cap the poll backoff at 4 x pollMs, and take the lock as soon as it is gone`,
          figure: slowest,
          bound: budget,
        };
      }
    }
    return { pass: true, measured: `1 query after the lock expired, slowest ${ms(slowestAll)} (budget ${budget} ms), polls <= ${ms(gapAll)} apart`, figure: gapAll, bound: gapBound };
  },

  async 'slow holder fenced'({ seed, exports }): Promise<Outcome> {
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
    const slow = make(clock, exports, await handDeps(ahead, store, originFor('i0'), 'i0', lock, seed));
    const fast = make(clock, exports, await handDeps(clock, store, originFor('i1'), 'i1', lock, seed));
    const first = call(clock, slow);
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
    const figure = stored?.version ?? 0;
    if (n < 2) {
      return {
        pass: false,
        measured,
        message: `the origin was queried ${n} time(s), want 2: after the slow holder's ${lock.pxMs} ms lock expired, the next instance should take the lock and rebuild`,
        figure,
        bound: 2,
      };
    }
    if (stored?.version !== 2) {
      return {
        pass: false,
        measured,
        message: `the store ends with version ${stored?.version ?? 'none'} (by ${stored?.by ?? '-'}), want version 2 by i1: the slow holder's late write overwrote the newer value; take a fencing token from store.nextFence (not from a clock) before rebuilding and write with setFenced`,
        figure,
        bound: 2,
      };
    }
    return { pass: true, measured: `${measured}; late v1 refused by the fence`, figure, bound: 2 };
  },

  async 'release by non-holder'({ seed, exports }): Promise<Outcome> {
    // The 40-key run: 120 rebuilds, every lock command of them.
    const w = await watchedRun(exports, fleetManyKeys(seed));
    const audit = auditLockCommands(w.log, LOCK.pxMs);
    const measured = `${audit.acquired} acquired, ${audit.released} released${audit.breaches > 0 ? `, ${audit.breaches} broke the contract` : ''}`;
    if (audit.problem !== undefined) return { pass: false, measured, message: audit.problem, figure: audit.breaches, bound: 0 };
    return { pass: true, measured: `${measured}, all by their holders`, figure: 0, bound: 0 };
  },

  async 'failed rebuild releases'({ seed, exports }): Promise<Outcome> {
    // 1. The holder's rebuild fails at the origin: its caller gets the error, and the lock is free at once.
    let nextGet = NaN;
    const nextBudget = HOT_ORIGIN.latencyMs + HOT_ORIGIN.jitterMs + 2 * pollMax(LOCK.pollMs);
    {
      const clock = new VirtualClock();
      const log: StoreCommand[] = [];
      const store = createEmbeddedStore(clock);
      const origin = createOrigin(clock, createRng(seed).fork('origin'), { ...HOT_ORIGIN });
      // The first rebuild fails; the origin is fine again at once.
      origin.failNext(1);
      const lock = { ...LOCK };
      const i0 = make(clock, exports, await handDeps(clock, loggedStore(store, clock, 'i0', log), origin.forInstance('i0'), 'i0', lock, seed));
      const i1 = make(clock, exports, await handDeps(clock, loggedStore(store, clock, 'i1', log), origin.forInstance('i1'), 'i1', lock, seed));
      const started = HOT_ORIGIN.latencyMs + HOT_ORIGIN.jitterMs + 30;
      const failing = call(clock, i0);
      const later = clock.sleep(started).then(() => i1.get('home'));
      const out = await settleAll(
        clock,
        [
          { label: 'i0\'s get("home") (its rebuild fails)', promise: failing },
          { label: 'i1\'s get("home") just after the failure', promise: later },
        ],
        120_000,
      );
      const audit = auditLockCommands(log, lock.pxMs);
      if (audit.acquired === 0) {
        return { pass: false, measured: '0 locks taken', message: 'no lock was ever taken: 0 acquire() calls succeeded, want the failing rebuild to hold the lock and release it when it throws' };
      }
      if (out[0]!.ok) {
        return { pass: false, measured: 'the failed rebuild returned a value', message: `i0's rebuild failed at the origin but its get() resolved to ${JSON.stringify(out[0]!.value)}, want the origin's error passed to the caller (never cached as a value)` };
      }
      const took = out[1]!.at - started;
      nextGet = took;
      const budget = nextBudget;
      const measured = `next get took ${ms(took)}`;
      if (!out[1]!.ok) {
        return { pass: false, measured: 'next get failed', message: `the get() after a failed rebuild failed too (${errorText(out[1]!.error)}), want a fresh rebuild` };
      }
      if (took > budget) {
        return {
          pass: false,
          measured,
          message: `the get() after a failed rebuild took ${ms(took)}, want <= ${budget} ms (one rebuild): the failed holder kept its lock until it expired (${lock.pxMs} ms); release it in finally, also when the rebuild throws`,
          figure: took,
          bound: budget,
        };
      }
      if (audit.problem !== undefined) return { pass: false, measured, message: `after a failed rebuild: ${audit.problem}`, figure: took, bound: budget };
    }
    // 2. The holder's rebuild fails after its lock expired and another instance took it over:
    //    its release must not free the new holder's lock (a third instance would rebuild too).
    //    The harness's origin fails i0's query 20 ms after i1's take-over query starts (at 2 s
    //    at the latest), and i2 asks 10 ms after that, while i1 still rebuilds (250 ms, inside
    //    its own PX).
    const clock = new VirtualClock();
    const store = createEmbeddedStore(clock);
    const lock = { ...CRASH_LOCK };
    const queries: Array<{ t: number; by: string }> = [];
    let failFirst: () => void = () => undefined;
    const firstFails = new Promise<void>((resolve) => (failFirst = resolve));
    let askI2: () => void = () => undefined;
    const i2Asks = new Promise<void>((resolve) => (askI2 = resolve));
    let failedAt = NaN;
    const originFor = (instance: string): Origin => ({
      async fetch(key) {
        const n = queries.push({ t: clock.now(), by: instance });
        if (n === 1) {
          await Promise.race([firstFails, clock.sleep(2000)]);
          failedAt = clock.now();
          void clock.sleep(10).then(askI2);
          throw new Error(`origin query for "${key}" failed after ${Math.round(failedAt)} ms`);
        }
        if (n === 2) void clock.sleep(20).then(failFirst);
        await clock.sleep(n === 2 ? 250 : 200);
        return { key, version: n, builtAt: clock.now(), by: instance } satisfies OriginValue;
      },
    });
    const caches: LockedCache[] = [];
    for (let i = 0; i < 3; i++) caches.push(make(clock, exports, await handDeps(clock, store, originFor(`i${i}`), `i${i}`, lock, seed)));
    const out = await settleAll(
      clock,
      [
        { label: 'i0\'s get("home") (fails after its lock expired)', promise: call(clock, caches[0]!) },
        { label: 'i1\'s get("home") at 20 ms', promise: clock.sleep(20).then(() => caches[1]!.get('home')) },
        { label: 'i2\'s get("home") just after i0\'s rebuild failed', promise: i2Asks.then(() => caches[2]!.get('home')) },
      ],
      120_000,
    );
    const measured = `${queries.length} queries after a failure past PX`;
    const what = `i0's rebuild failed at ${ms(failedAt)}, after its ${lock.pxMs} ms lock expired and i1 took it over`;
    if (out[0]!.ok) {
      return { pass: false, measured, message: `${what}: i0's get() resolved to ${JSON.stringify(out[0]!.value)}, want the origin's error passed to its caller`, figure: queries.length, bound: 2 };
    }
    if (queries.length > 2) {
      const third = queries[2]!;
      return {
        pass: false,
        measured,
        message: `${what}; then ${third.by} queried the origin too at ${ms(third.t)} (${queries.length} queries, want 2): i0's release freed the lock i1 held; release with store.release(name, token), which deletes it only while it still holds your token`,
        figure: queries.length,
        bound: 2,
      };
    }
    for (const [i, o] of out.entries()) {
      if (i === 0) continue;
      const v = o.value;
      if (!o.ok || v == null || v.version !== 2) {
        return {
          pass: false,
          measured,
          message: `${what}: i${i}'s get() ${o.ok ? `resolved to ${JSON.stringify(v)}` : `failed (${errorText(o.error)})`}, want i1's rebuilt value (version 2)`,
          figure: queries.length,
          bound: 2,
        };
      }
    }
    return { pass: true, measured: `next get after a failure took ${ms(nextGet)}; ${measured}`, figure: nextGet, bound: nextBudget };
  },

  async 'waiters give up'({ seed, exports }): Promise<Outcome> {
    const lock = WAITERS_LOCK;
    const hi = lock.maxWaitMs + pollMax(lock.pollMs);
    let latestAll = 0;
    // 1. A holder that will not let go for a minute. 2. A chain of holders that each die holding
    //    the lock: whenever it expires and a waiter tries to take it, another instance gets it
    //    first, for 3 x maxWaitMs. Either way a waiter gives up maxWaitMs after it began to wait.
    for (const phase of ['stuck', 'chain'] as const) {
      const clock = new VirtualClock();
      const inner = createEmbeddedStore(clock);
      const origin = createOrigin(clock, createRng(seed).fork('origin'), { ...HOT_ORIGIN });
      const chainUntil = 3 * lock.maxWaitMs;
      let generation = 0;
      const store: SharedStore =
        phase === 'stuck'
          ? inner
          : {
              ...inner,
              async acquire(name, token, pxMs) {
                if (clock.now() < chainUntil && (await inner.pttl(name)) === -2) await inner.acquire(name, `rival:${++generation}`, lock.pxMs);
                return inner.acquire(name, token, pxMs);
              },
            };
      await inner.acquire('lock:home', phase === 'stuck' ? 'stuck:1' : 'rival:0', phase === 'stuck' ? 60_000 : lock.pxMs);
      const cache = make(clock, exports, await handDeps(clock, store, origin.forInstance('i0'), 'i0', lock, seed));
      const calls = Array.from({ length: 10 }, (_, i) => ({ label: `get("home") #${i + 1}`, promise: call(clock, cache) }));
      const out = await settleAll(clock, calls, 120_000);
      const latest = Math.max(...out.map((o) => o.at));
      const first = Math.min(...out.map((o) => o.at));
      latestAll = Math.max(latestAll, latest);
      const timedOut = out.filter((o) => !o.ok && isHerdError(o.error, 'LOCK_WAIT_TIMEOUT'));
      const queries = origin.log.length;
      const behind = phase === 'stuck' ? 'behind a holder that never lets go' : `behind a chain of holders that each died holding the lock (${generation} took it in turn)`;
      const sent = queries > 0 ? `, then sent ${queries} origin ${queries === 1 ? 'query' : 'queries'}` : '';
      const firstQuery = origin.log[0]?.t ?? Infinity;
      if (firstQuery >= lock.maxWaitMs - 1 && firstQuery <= hi) {
        return {
          pass: false,
          measured: `${queries} origin ${queries === 1 ? 'query' : 'queries'} at ${ms(firstQuery)}`,
          message: `${behind}, requests waited ${(firstQuery / 1000).toFixed(1)} s (lock.maxWaitMs)${sent} themselves, the herd through the side door: want them to give up with new HerdError('LOCK_WAIT_TIMEOUT', ...) instead`,
          figure: queries,
          bound: 0,
        };
      }
      if (latest > hi) {
        return {
          pass: false,
          measured: `waited ${ms(latest)}`,
          message:
            phase === 'stuck'
              ? `requests waited ${(latest / 1000).toFixed(1)} s, past maxWaitMs (${lock.maxWaitMs} ms)${sent}: give up with new HerdError('LOCK_WAIT_TIMEOUT', ...) once lock.maxWaitMs has passed`
              : `${behind}, requests waited ${(latest / 1000).toFixed(1)} s, past maxWaitMs (${lock.maxWaitMs} ms)${sent}: one deadline per wait, counted from its start, not restarted at each acquire attempt`,
          figure: latest,
          bound: hi,
        };
      }
      if (queries > 0 || out.some((o) => o.ok)) {
        return {
          pass: false,
          measured: `${queries} origin ${queries === 1 ? 'query' : 'queries'}, done at ${ms(latest)}`,
          message: `${behind}, requests did not wait for the lock holder: they sent ${queries} origin ${queries === 1 ? 'query' : 'queries'} and settled by ${ms(latest)}, want a LOCK_WAIT_TIMEOUT HerdError at about ${lock.maxWaitMs} ms`,
        };
      }
      if (timedOut.length !== out.length) {
        const other = out.find((o) => !timedOut.includes(o))!.error;
        return { pass: false, measured: `${timedOut.length}/10 LOCK_WAIT_TIMEOUT`, message: `${behind}: got ${errorText(other)}, want new HerdError('LOCK_WAIT_TIMEOUT', ...) from @herd/harness` };
      }
      if (first < lock.maxWaitMs - 1) {
        return {
          pass: false,
          measured: `gave up at ${ms(first)}-${ms(latest)}`,
          message: `${behind}, waiters gave up between ${ms(first)} and ${ms(latest)}, want between ${lock.maxWaitMs} and ${hi} ms (lock.maxWaitMs is ${lock.maxWaitMs}; the lock's PX, ${lock.pxMs} ms, is no bound on a wait)`,
          figure: first,
          bound: lock.maxWaitMs,
        };
      }
    }
    return { pass: true, measured: `10/10 LOCK_WAIT_TIMEOUT by ${ms(latestAll)}, stuck or chained`, figure: latestAll, bound: hi };
  },

  async 'lock wait measured'({ seed, exports, value = LOCK.pxMs }): Promise<Outcome> {
    // 1. The fleet at its TTL boundaries (40 keys); 2. behind a stuck holder (every wait ends in
    //    LOCK_WAIT_TIMEOUT); 3. after a crashed holder (one waiter takes the lock over).
    const w = await watchedRun(exports, fleetManyKeys(seed));
    const ids = w.run.fleet.map((_, i) => `i${i}`);
    const fleet = compareWaits('at the TTL boundaries', w.waits, ids, harnessWaits(w.log, w.requests, rttOf), rttOf);
    let deviation = fleet.deviation;
    if (fleet.problem) return { pass: false, measured: fleet.measured, message: fleet.problem, figure: fleet.deviation, bound: 2 };
    for (const phase of ['stuck', 'crashed'] as const) {
      const clock = new VirtualClock();
      const store = createEmbeddedStore(clock);
      const origin = createOrigin(clock, createRng(seed).fork('origin'), { ...HOT_ORIGIN });
      const lock = phase === 'stuck' ? WAITERS_LOCK : CRASH_LOCK;
      await store.acquire('lock:home', phase, phase === 'stuck' ? 60_000 : lock.pxMs);
      const f = await handFleet(clock, exports, store, (id) => origin.forInstance(id), lock, seed, [2, 3]);
      const calls = f.caches.flatMap((c, i) => Array.from({ length: 5 }, (_, j) => ({ label: `i${i}'s get("home") #${j + 1}`, instance: `i${i}`, promise: call(clock, c) })));
      const out = await settleAll(clock, calls, 120_000);
      const requests: Req[] = calls.map((c, k) => ({ instance: c.instance, key: 'home', start: 0, end: out[k]!.at }));
      const waits = f.caches.map((c) => (typeof c.lockWaits === 'function' ? [...c.lockWaits()] : undefined));
      const want = harnessWaits(f.log, requests, f.rtt).map((x) => (phase === 'stuck' ? { ...x, how: 'gave up' as const } : x));
      const where = phase === 'stuck' ? 'behind a stuck holder' : 'after a crashed holder';
      const got = compareWaits(where, waits, f.ids, want, f.rtt);
      deviation = Math.max(deviation, got.deviation);
      if (got.problem) return { pass: false, measured: got.measured, message: got.problem, figure: got.deviation, bound: 2 };
    }
    const all = [...fleet.all].sort((a, b) => a - b);
    const p99 = all[Math.min(all.length, Math.ceil(0.99 * all.length)) - 1] ?? 0;
    const p50 = all[Math.max(0, Math.ceil(0.5 * all.length) - 1)] ?? 0;
    const measured = `p50 ${ms(p50)}, p99 ${ms(p99)} (${all.length} waits, as measured; timeouts and take-overs too)`;
    if (!(p99 <= value)) return { pass: false, measured, message: `lock waits p99 ${ms(p99)}, want <= the lock's ${value} ms expiry`, figure: p99, bound: value };
    return { pass: true, measured, figure: Math.max(0, deviation), bound: 2 };
  },

  async 'real Redis: one rebuild fleet-wide'({ seed, exports }): Promise<Outcome> {
    return onRealRedis(async (url) => {
      const { report } = await runOnRedis(exports, url, seed);
      const counts = report.boundaries.map((b) => b.queries);
      const measured = `${range(counts)} per boundary (${counts.length} bursts, 4 instances, real time)`;
      const w = worst(report.boundaries, (b) => b.queries);
      if (w === undefined) {
        return { pass: false, measured: '0 boundaries', message: 'on Redis, the fleet sent no query to the origin at all, want 1 per burst: the bursts should meet an empty cache', figure: 0, bound: 1 };
      }
      if (w.queries !== 1) {
        return {
          pass: false,
          measured,
          message: `on Redis, burst at ${at(w.start)}: the fleet sent ${w.queries} queries to the origin ([${w.byInstance.join(', ')}] by instance), want 1`,
          series: report.origin.perSecond,
          figure: w.queries,
          bound: 1,
        };
      }
      return { pass: true, measured, figure: 1, bound: 1 };
    });
  },
};

export type { LockOptions };
