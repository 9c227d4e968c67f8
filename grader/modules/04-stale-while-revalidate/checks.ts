/**
 * Hidden checks for module 04 (stale-while-revalidate), all measured from outside: request
 * latencies and value ages from the harness's served log, refreshes from the origin's own query
 * log. Fleet runs use 03's hot-key load with store round trips that differ per instance; the
 * origin goes down for 20 s in one of them; unit-style runs step one key through its soft
 * expiry, a failed refresh and its hard expiry; the same fleet check runs on a real Redis.
 */
import {
  VirtualClock,
  clusterBoundaries,
  createEmbeddedStore,
  createOrigin,
  createRng,
  withLatency,
  type OriginValue,
  type SlowOrigin,
  type QueryRecord,
  type ReadThrough,
  type RunResult,
  type ScenarioSpec,
} from '@herd/harness/engine';
import { plannedOrigin, type QueryPlan } from '../../src/cache/adversity.js';
import { auditFreshness } from '../../src/cache/audit.js';
import { onRealRedis, runAppOnRedis } from '../../src/cache/on-redis.js';
import { runApp } from '../../src/cache/run-app.js';
import { at, ms, n, range } from '../../src/check-kit.js';
import type { CheckFn, Exports, Outcome } from '../../src/define.js';
import { HOT_ORIGIN } from '../../src/scenarios.js';
import { LOCK } from '../03-distributed-lock/scenarios.js';
import { handDeps, swrApp, swrCacheApp } from './app.js';
import { KEYS, OUTAGE, REDIS, SLOW, SWR, fleetKeys, fleetOutage, fleetSlowPatch, redisBursts, type SwrOptions } from './scenarios.js';

/** Store round trips of 1-4 ms, different per instance, as in module 03. */
export const STORE_LATENCY = (index: number): number => 1 + index;
const SLOWEST_TRIP = STORE_LATENCY(3);
/** A hit: at most three store round trips of the slowest instance (a read, and a claim or two). */
export const HIT_BOUND = 3 * SLOWEST_TRIP;
/** Host clocks 200 ms apart across the fleet (i0 100 ms behind, i1 100 ms ahead). */
export const CLOCK_SKEW = (index: number): number => [-100, 100, 0, 50][index] ?? 0;
/** After a failed refresh, the fleet's next attempt within this much after retryMs (reads come every few ms). */
const RETRY_SLACK = 100;
/** The longest one origin query takes when the origin is well (base latency plus jitter). */
const ONE_QUERY = HOT_ORIGIN.latencyMs + HOT_ORIGIN.jitterMs;
/** The slow store link of one instance in the race between a stale read and a refresher's write. */
const SLOW_LINK = 50;
/** The late-refresher runs: a 1 s claim that a slow refresh outlives, a 100 ms retry. */
const LAPSE: SwrOptions = { softTtlMs: 1000, hardTtlMs: 20_000, claimMs: 1000, retryMs: 100 };

const seconds = (v: number): string => `${+(v / 1000).toFixed(1)} s`;
const expiries = (k: number): string => `${k} soft ${k === 1 ? 'expiry' : 'expiries'}`;

/**
 * One run per scenario, seed and learner file, shared by the checks that read it (same seed, same
 * run: the figures are the same either way, the grade is three times faster). Every fleet run
 * has store round trips of 1-4 ms, and host clocks 200 ms apart unless told otherwise.
 */
const runs = new WeakMap<Exports, Map<string, Promise<RunResult>>>();
function fleetRun(exports: Exports, spec: ScenarioSpec, allowFailures = false, skew = true): Promise<RunResult> {
  let mine = runs.get(exports);
  if (mine === undefined) runs.set(exports, (mine = new Map()));
  const id = `${spec.name}:${spec.seed}:${allowFailures}:${skew}`;
  let run = mine.get(id);
  if (run === undefined) {
    run = runApp((e) => swrCacheApp(e, { storeLatencyMs: STORE_LATENCY, ...(skew ? { clockSkewMs: CLOCK_SKEW } : {}) }), exports, spec, { allowFailures });
    mine.set(id, run);
  }
  return run;
}

/** Origin queries after the cold start, clustered into soft-TTL windows (the report's boundaries). */
function refreshWindows(r: RunResult) {
  return r.report.boundaries.slice(1);
}

/** The slowest request that started from shortly before a refresh began to when it ended. */
function slowestAround(r: RunResult, from: number, to: number, key?: string) {
  const { served } = r;
  const k = key === undefined ? undefined : served.idOf(key);
  let worst = -1;
  for (let i = 0; i < served.n; i++) {
    const s = served.start[i]!;
    if (k !== undefined && served.key[i] !== k) continue;
    if (s >= from && s <= to && (worst < 0 || served.latency[i]! > served.latency[worst]!)) worst = i;
  }
  return worst < 0 ? undefined : served.at(worst);
}

/** Requests that failed, with the first of them. */
function failures(r: RunResult, from = 0, to = Infinity) {
  const { served } = r;
  let count = 0;
  let first = -1;
  for (let i = 0; i < served.n; i++) {
    if (served.ok[i] || served.start[i]! < from || served.start[i]! >= to) continue;
    count++;
    if (first < 0) first = i;
  }
  return { count, first: first < 0 ? undefined : served.at(first) };
}

/** Drives `script` on `clock` with whatever it started in the background; fails loudly if it hangs. */
async function play(clock: VirtualClock, label: string, script: () => Promise<void>): Promise<void> {
  await clock.run(script(), { deadline: 600_000, describePending: () => label });
}

interface Read {
  at: number;
  latency: number;
  instance?: string;
  value?: OriginValue | null;
  error?: unknown;
}
async function timedGet(clock: VirtualClock, cache: ReadThrough, key: string, instance?: string): Promise<Read> {
  const start = clock.now();
  try {
    const value = await cache.get(key);
    return { at: start, latency: clock.now() - start, instance, value };
  } catch (error) {
    return { at: start, latency: clock.now() - start, instance, error };
  }
}
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const version = (r: Read): string => (r.value ? `version ${r.value.version}` : String(r.value));
/** How old a read's value was when the read answered. */
const ageOf = (r: Read): number => (r.value ? r.at + r.latency - r.value.builtAt : NaN);

/** One store, origin and swr settings for hand-built instances of the learner's cache. */
interface Rig {
  clock: VirtualClock;
  origin: SlowOrigin;
  caches: ReadThrough[];
  reads: Read[];
}

/**
 * `count` instances of the learner's cache on one embedded store (round trips of 1, 2, 3 ms by
 * instance, or `trips`), each seeing the origin with `plan` applied to its queries (default: as it is).
 */
async function rig(exports: Exports, swr: SwrOptions, count: number, plan?: (n: number) => QueryPlan | undefined, trips?: readonly number[]): Promise<Rig> {
  const clock = new VirtualClock();
  const shared = createEmbeddedStore(clock);
  const origin = createOrigin(clock, createRng(6).fork('origin'), { ...HOT_ORIGIN });
  const originFor = plan ? plannedOrigin(origin, plan) : (id: string) => origin.forInstance(id);
  const caches: ReadThrough[] = [];
  for (let i = 0; i < count; i++) {
    const deps = await handDeps(clock, withLatency(shared, clock, trips?.[i] ?? 1 + i), originFor(`i${i}`), `i${i}`, swr);
    caches.push(clock.within(() => swrApp(exports)(deps)));
  }
  return { clock, origin, caches, reads: [] };
}

/** i0 reads the key once (the cold start); then every instance reads it every 50 ms, staggered, until `endAt`. */
async function readAlong(r: Rig, key: string, endAt: number): Promise<void> {
  r.reads.push(await timedGet(r.clock, r.caches[0]!, key, 'i0'));
  await Promise.all(
    r.caches.map(async (c, i) => {
      await r.clock.sleep(Math.round((50 * i) / r.caches.length));
      while (r.clock.now() < endAt) {
        r.reads.push(await timedGet(r.clock, c, key, `i${i}`));
        await r.clock.sleep(50);
      }
    }),
  );
}

/**
 * The first read that got an older version than a read that had already answered before it
 * started: the value went back in time.
 */
function wentBack(reads: readonly Read[]): { newer: Read; older: Read } | undefined {
  const ok = reads.filter((x) => x.value).sort((a, b) => a.at - b.at);
  for (const older of ok) {
    let newer: Read | undefined;
    for (const x of ok) {
      if (x.at + x.latency < older.at && x.value!.version > older.value!.version && (newer === undefined || x.value!.version > newer.value!.version)) newer = x;
    }
    if (newer) return { newer, older };
  }
  return undefined;
}

/** How many reads got an older version than one a read had answered with before they started. */
function countBehind(reads: readonly Read[]): number {
  const ok = reads.filter((x) => x.value).sort((a, b) => a.at + a.latency - (b.at + b.latency));
  const byStart = [...ok].sort((a, b) => a.at - b.at);
  let count = 0;
  let newest = 0;
  let j = 0;
  for (const x of byStart) {
    while (j < ok.length && ok[j]!.at + ok[j]!.latency < x.at) newest = Math.max(newest, ok[j++]!.value!.version);
    if (x.value!.version < newest) count++;
  }
  return count;
}

/**
 * The two queries for one key that ran at once and began closest together: under a live claim
 * (the later one began less than claimMs after the earlier one), a second refresh got in.
 */
function overlapping(log: readonly QueryRecord[]) {
  let closest: { a: QueryRecord; b: QueryRecord; ms: number } | undefined;
  for (let j = 0; j < log.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = log[i]!;
      const b = log[j]!;
      const end = a.durationMs < 0 ? Infinity : a.t + a.durationMs;
      if (a.key !== b.key || b.t >= end) continue;
      if (closest === undefined || b.t - a.t < closest.ms) closest = { a, b, ms: b.t - a.t };
    }
  }
  return closest;
}

export const checks: Record<string, CheckFn> = {
  async 'no wait at soft expiry'({ seed, exports }): Promise<Outcome> {
    const r = await fleetRun(exports, fleetSlowPatch(seed));
    const windows = refreshWindows(r);
    const series = r.report.origin.perSecond;
    if (windows.length === 0) {
      return { pass: false, measured: '0 refreshes', message: `no origin query after the cold start in ${seconds(r.report.durationMs)}, want one per soft TTL (${seconds(r.report.ttlMs)}): a stale entry must start a refresh`, series };
    }
    let worst: { at: number; latency: number; instance: number } | undefined;
    let p99 = 0;
    for (const b of windows) {
      // From 100 ms before the query: the read that saw the stale entry and started the refresh.
      const s = slowestAround(r, b.start - 100, b.end);
      if (s && (worst === undefined || s.latency > worst.latency)) worst = { at: s.start, latency: s.latency, instance: s.instance };
      p99 = Math.max(p99, b.p99);
    }
    const figure = worst?.latency ?? 0;
    const measured = `boundary p99 ${ms(p99)}, max ${ms(figure)} (${expiries(windows.length)})`;
    if (worst !== undefined && worst.latency > HIT_BOUND) {
      return {
        pass: false,
        measured,
        figure,
        bound: HIT_BOUND,
        message: `i${worst.instance}'s request at ${at(worst.at)}, at a soft expiry, took ${ms(worst.latency)} (boundary p99 ${ms(p99)}), want every request within ${HIT_BOUND} ms (3 store round trips of up to ${SLOWEST_TRIP} ms; one origin query is ${HOT_ORIGIN.latencyMs} ms or more): serve the stale value at once and run the refresh in the background, not awaited`,
        series,
      };
    }
    return { pass: true, measured: `${measured}; bound ${HIT_BOUND} ms`, figure, bound: HIT_BOUND, series };
  },

  async 'one refresh per window'({ seed, exports }): Promise<Outcome> {
    const spec = fleetSlowPatch(seed);
    const r = await fleetRun(exports, spec);
    const series = r.report.origin.perSecond;
    const windows = refreshWindows(r);
    const soft = spec.ttlMs;
    const most = windows.length === 0 ? 0 : Math.max(...windows.map((b) => b.queries));
    const measured = windows.length === 0 ? '0 refreshes' : `${range(windows.map((b) => b.queries))} per window (${expiries(windows.length)}, 4 instances, 2 of them on a 6x slower origin)`;
    // Never 0: while the key is read, a refresh follows each soft expiry within a read or two.
    const starts = r.report.boundaries.map((b) => b.start);
    const ends = [...starts.slice(1), spec.durationMs];
    const late = r.report.boundaries.findIndex((b, i) => ends[i]! - b.end > soft + 1000);
    if (late >= 0) {
      const b = r.report.boundaries[late]!;
      const next = late + 1 < starts.length ? `until ${at(ends[late]!)}` : 'for the rest of the run';
      return {
        pass: false,
        measured,
        figure: 0,
        bound: 1,
        message: `the value built at ${at(b.end)} went stale at about ${at(b.end + soft)} and no refresh came ${next} while the key was read, want one every soft TTL (${seconds(soft)}): compare clock.now() with the entry's freshUntil on every read and refresh a stale entry`,
        series,
      };
    }
    const w = windows.find((b) => b.queries !== 1);
    if (w !== undefined) {
      const slow = w.start >= SLOW.fromMs && w.start < SLOW.toMs;
      const [a, b] = r.origin.log.filter((q) => q.key === w.key && q.t >= w.start && q.t <= w.end);
      const after = a !== undefined && b !== undefined && a.durationMs >= 0 && b.t >= a.t + a.durationMs;
      const why = after
        ? `; ${b.instance}'s refresh began at ${at(b.t)}, after ${a.instance}'s had written (at ${at(a.t + a.durationMs)}): it read the entry stale just before that write landed and won the claim just after the release; read the entry again after winning the claim, and stop if it is fresh`
        : slow
          ? `; the origin was ${SLOW.factor}x slower here, a refresh took ${ms(a && a.durationMs >= 0 ? a.durationMs : w.end - w.start)}: longer than retryMs (${SWR.retryMs} ms), shorter than claimMs (${SWR.claimMs} ms), and a second one began beside it; take the claim for swr.claimMs, so it outlives a slow refresh`
          : '; claim it in the store (store.acquire(`refresh:${key}`, token, swr.claimMs)) and let the others keep serving the stale value';
      return {
        pass: false,
        measured,
        figure: w.queries,
        bound: 1,
        message: `soft expiry at ${at(w.start)}: the fleet sent ${w.queries} queries to the origin ([${w.byInstance.join(', ')}] by instance), want 1: one refresh for the whole fleet${why}`,
        series,
      };
    }
    // A slow store link: i0's round trip is 50 ms, i1's 1 ms. i0 reads the entry stale just
    // before i1's write lands, and its claim arrives just after i1 released: only a read after
    // winning the claim tells it the entry is fresh again.
    const link: SwrOptions = { softTtlMs: 1000, hardTtlMs: 20_000, claimMs: 2000, retryMs: 1000 };
    const lr = await rig(exports, link, 2, undefined, [SLOW_LINK, 1]);
    const endAt = 8500;
    await play(lr.clock, 'a get("home")', async () => {
      lr.reads.push(await timedGet(lr.clock, lr.caches[1]!, 'home', 'i1'));
      const loop = async (c: ReadThrough, id: string, delay: number, every: number) => {
        await lr.clock.sleep(delay);
        while (lr.clock.now() < endAt) {
          lr.reads.push(await timedGet(lr.clock, c, 'home', id));
          await lr.clock.sleep(every);
        }
      };
      await Promise.all([...Array.from({ length: 10 }, (_, k) => loop(lr.caches[0]!, 'i0', k * 5, 5)), loop(lr.caches[1]!, 'i1', 0, 50), loop(lr.caches[1]!, 'i1', 25, 50)]);
    });
    const log = lr.origin.log;
    const linkWindows = Math.max(0, log.length - 1);
    for (let k = 2; k < log.length; k++) {
      const a = log[k - 1]!;
      const b = log[k]!;
      if (b.t - a.t >= link.softTtlMs / 2) continue;
      const byInstance = [0, 1].map((x) => [a, b].filter((q) => q.instance === `i${x}`).length);
      const after = b.t >= a.t + a.durationMs;
      const why = after
        ? `${b.instance}'s refresh began after ${a.instance}'s had written (at ${at(a.t + a.durationMs)}): it read the entry stale just before that write landed and won the claim just after the release; read the entry again after winning the claim, and stop if it is fresh`
        : `both ran at once: one refresh for the whole fleet, under the claim in the store`;
      return {
        pass: false,
        measured: `${measured}; on a slow store link 2 queries in one window`,
        figure: 2,
        bound: 1,
        message: `on a slow store link (i0's round trip ${SLOW_LINK} ms, i1's 1 ms), soft expiry at ${at(a.t)}: the fleet sent 2 queries to the origin ([${byInstance.join(', ')}] by instance), want 1: ${why}`,
      };
    }
    return { pass: true, measured: `${measured}; slow store link: 1 per window (${linkWindows})`, figure: most, bound: 1, series };
  },

  async 'each key its own refresh'({ seed, exports }): Promise<Outcome> {
    const spec = fleetKeys(seed);
    // No clock skew here: when each key goes stale is known to the millisecond from outside.
    const r = await fleetRun(exports, spec, false, false);
    const soft = spec.ttlMs;
    const { served } = r;
    let worst: { key: string; stale: number; read: number; query: number; delay: number } | undefined;
    let windows = 0;
    for (const key of KEYS) {
      const mine = r.report.boundaries.filter((b) => b.key === key);
      const k = served.idOf(key);
      for (let w = 1; w < mine.length; w++) {
        const b = mine[w]!;
        windows++;
        if (b.queries !== 1) {
          return {
            pass: false,
            measured: `${b.queries} queries in one window of "${key}"`,
            message: `"${key}" at ${at(b.start)}: the fleet sent ${b.queries} queries to the origin for it ([${b.byInstance.join(', ')}] by instance), want 1: one refresh per key for the whole fleet, under its own claim (refresh:\${key})`,
          };
        }
        // Stale from here: the previous value's soft TTL from its write (a store trip or two after it was built).
        const stale = mine[w - 1]!.end + soft + 2 * SLOWEST_TRIP;
        let read = -1;
        for (let i = 0; i < served.n; i++) {
          if (served.key[i] === k && served.start[i]! >= stale) {
            read = i;
            break;
          }
        }
        if (read < 0 || served.start[read]! > b.start) continue;
        const delay = b.start - served.start[read]!;
        if (worst === undefined || delay > worst.delay) worst = { key, stale, read: served.start[read]!, query: b.start, delay };
      }
    }
    const bound = 100;
    const figure = worst?.delay ?? 0;
    const measured = `${KEYS.length} keys, ${windows} refreshes; slowest start ${ms(figure)} after a stale read`;
    if (worst !== undefined && worst.delay > bound) {
      return {
        pass: false,
        measured,
        figure,
        bound,
        message: `"${worst.key}" was read stale at ${at(worst.read)} and its refresh reached the origin only at ${at(worst.query)}, ${ms(worst.delay)} later, want within ${bound} ms: it waited for other keys' refreshes; name the claim after the key (\`refresh:\${key}\`, a template literal), one claim per key`,
      };
    }
    // Every key refreshed while it is read: none left stale for the rest of the run.
    for (const key of KEYS) {
      const mine = r.report.boundaries.filter((b) => b.key === key);
      const last = mine[mine.length - 1];
      if (last !== undefined && spec.durationMs - last.end > soft + 1000) {
        return { pass: false, measured, message: `"${key}" went stale at about ${at(last.end + soft)} and was not refreshed by ${at(spec.durationMs)} while it was read, want one refresh per key per soft TTL` };
      }
    }
    return { pass: true, measured: `${measured} (bound ${bound} ms)`, figure, bound };
  },

  async 'staleness bounded'({ seed, exports }): Promise<Outcome> {
    const clock = new VirtualClock();
    const store = withLatency(createEmbeddedStore(clock), clock, 2);
    const origin = createOrigin(clock, createRng(5).fork('origin'), { ...HOT_ORIGIN });
    const swr: SwrOptions = { softTtlMs: 1000, hardTtlMs: 3000, claimMs: 1000, retryMs: 500 };
    const deps = await handDeps(clock, store, origin.forInstance('i0'), 'i0', swr);
    const cache = clock.within(() => swrApp(exports)(deps));
    const bound = 2 * SLOWEST_TRIP;
    const reads: Read[] = [];
    const outage: Read[] = [];
    const after: Read[] = [];
    let downAt = NaN;
    await play(clock, 'i0\'s get("home")', async () => {
      reads.push(await timedGet(clock, cache, 'home'));
      const v1 = reads[0]!.value;
      if (!v1) return;
      await clock.sleep(v1.builtAt + swr.softTtlMs + 100 - clock.now());
      reads.push(await timedGet(clock, cache, 'home'));
      await clock.sleep(500);
      reads.push(await timedGet(clock, cache, 'home'));
      const v2 = reads[2]!.value;
      if (!v2) return;
      // Nobody reads the key until its hard expiry has passed.
      await clock.sleep(v2.builtAt + swr.hardTtlMs + 100 - clock.now());
      reads.push(await timedGet(clock, cache, 'home'));
      // The origin goes down for twice the hard TTL; the key is read every 100 ms all along.
      origin.setDown(true);
      downAt = clock.now();
      while (clock.now() < downAt + 2 * swr.hardTtlMs) {
        outage.push(await timedGet(clock, cache, 'home'));
        await clock.sleep(100);
      }
      origin.setDown(false);
      for (let i = 0; i < 10 && !after.some((x) => x.value && x.value.builtAt > downAt); i++) {
        after.push(await timedGet(clock, cache, 'home'));
        await clock.sleep(100);
      }
    });
    const [cold, stale, refreshed, expired] = reads as [Read, Read?, Read?, Read?];
    if (!cold.value) return { pass: false, measured: 'cold read failed', message: `the first read of an empty cache got ${cold.error ? errorText(cold.error) : version(cold)}, want the value: on a miss, return deps.coldFill(key)` };
    const v1 = cold.value;
    if (stale!.error || stale!.value?.version !== v1.version || stale!.latency > 3 * 2) {
      const got = stale!.error ? `failed (${errorText(stale!.error)})` : `took ${ms(stale!.latency)} and got ${version(stale!)}`;
      return {
        pass: false,
        measured: `stale read ${ms(stale!.latency)}`,
        message: `a read at ${at(stale!.at)}, 100 ms after the soft expiry and well within the hard TTL (${swr.hardTtlMs} ms), ${got}, want version ${v1.version} (the stale value) at once: serve a stale entry until its hard expiry and refresh it in the background`,
      };
    }
    if (refreshed!.error || !refreshed!.value || refreshed!.value.version === v1.version) {
      return {
        pass: false,
        measured: 'no refresh',
        message: `500 ms after a stale read, a read got ${refreshed!.error ? errorText(refreshed!.error) : version(refreshed!)}, want a newer version than ${v1.version}: the stale read must start a refresh (origin 220 ms at most)`,
      };
    }
    const v2 = refreshed!.value;
    const last = expired!;
    const age = ageOf(last);
    if (last.error || !last.value || !(age <= swr.hardTtlMs)) {
      const got = last.error ? `failed (${errorText(last.error)})` : `got ${version(last)} ${ms(age)} old after ${ms(last.latency)}`;
      return {
        pass: false,
        measured: last.value ? `served ${ms(age)} old` : 'failed',
        ...(last.value ? { figure: age - swr.hardTtlMs, bound } : {}),
        message: `version ${v2.version} was built at ${at(v2.builtAt)} and nobody read it; a read at ${at(last.at)}, 100 ms past its hard expiry, ${got}, want a fresh value (waiting for it): no value may be served older than swr.hardTtlMs (${swr.hardTtlMs} ms), so write the entry with PX hardTtlMs, not more`,
      };
    }
    // An outage twice the hard TTL: the last good value is served stale until its hard expiry, never after.
    let oldest: Read | undefined;
    for (const x of outage) if (x.value && (oldest === undefined || ageOf(x) > ageOf(oldest))) oldest = x;
    const outageAge = oldest ? ageOf(oldest) : 0;
    if (oldest !== undefined && outageAge > swr.hardTtlMs + bound) {
      return {
        pass: false,
        measured: `served ${ms(outageAge)} old in a ${seconds(2 * swr.hardTtlMs)} outage`,
        figure: outageAge - swr.hardTtlMs,
        bound,
        message: `the origin went down at ${at(downAt)} for ${seconds(2 * swr.hardTtlMs)}; a read at ${at(oldest.at)} got ${version(oldest)}, built at ${at(oldest.value!.builtAt)}, ${ms(outageAge)} old, want never older than swr.hardTtlMs (${swr.hardTtlMs} ms): past its hard expiry a value is gone, even when the origin is down; a failed refresh must not write the old value back with a new PX`,
      };
    }
    const back = after.find((x) => x.value && x.value.builtAt > downAt);
    if (back === undefined) {
      const x = after[after.length - 1];
      return {
        pass: false,
        measured: 'no fresh value after the outage',
        message: `the origin came back at ${at(downAt + 2 * swr.hardTtlMs)}; ${after.length} reads 100 ms apart got ${x ? (x.error ? errorText(x.error) : version(x)) : 'nothing'}, want a fresh value: with nothing cached, wait for deps.coldFill(key)`,
      };
    }
    // The same bound over every request of a fleet run with a 20 s outage, where values age most.
    const spec = fleetOutage(seed);
    const run = await fleetRun(exports, spec, true);
    const off = auditFreshness(run.report, { ...spec, ttlMs: SWR.hardTtlMs }, bound);
    const fleetOldest = run.report.freshness.maxAgeMs;
    // How far past its hard TTL the oldest value served anywhere was (negative: within it).
    const figure = Math.max(age - swr.hardTtlMs, outageAge - swr.hardTtlMs, fleetOldest - SWR.hardTtlMs);
    if (off) return { pass: false, measured: `oldest ${seconds(fleetOldest)}`, figure: fleetOldest - SWR.hardTtlMs, bound, message: `${off.replace('the TTL', 'the hard TTL').replace('deps.ttlMs', 'swr.hardTtlMs')}` };
    return {
      pass: true,
      measured: `stale read ${ms(stale!.latency)}; past the hard TTL: waited ${ms(last.latency)}, got ${ms(age)} old; in an outage of twice the hard TTL, oldest ${ms(outageAge)} (hard ${ms(swr.hardTtlMs)}); oldest in the fleet outage run ${seconds(fleetOldest)} (hard ${seconds(SWR.hardTtlMs)})`,
      figure,
      bound,
    };
  },

  async 'stale-if-error'({ seed, exports }): Promise<Outcome> {
    const spec = fleetOutage(seed);
    const run = await fleetRun(exports, spec, true);
    const series = run.report.origin.perSecond;
    const f = failures(run);
    const log = run.origin.log;
    const inOutage = log.filter((q) => q.t >= OUTAGE.fromMs && q.t < OUTAGE.toMs);
    const measured = `${n(f.count)} failed; ${inOutage.length} refresh attempts in the ${seconds(OUTAGE.toMs - OUTAGE.fromMs)} outage`;
    if (f.count > 0) {
      const x = f.first!;
      return {
        pass: false,
        measured,
        message: `${n(f.count)} requests failed while the origin was down (the first: i${x.instance}'s at ${at(x.start)}), want 0: the last good value is within its hard TTL (${seconds(SWR.hardTtlMs)}) all through the outage, so serve it stale; a failed refresh must never reach a caller`,
        series,
      };
    }
    // After each failed attempt, the fleet's next one: retryMs after the failure, not sooner, not later.
    const retry = SWR.retryMs;
    let soonest: { gap: number; a: QueryRecord; b: QueryRecord } | undefined;
    let latest: { gap: number; a: QueryRecord; b: QueryRecord } | undefined;
    for (let i = 0; i + 1 < log.length; i++) {
      const a = log[i]!;
      if (a.outcome !== 'error') continue;
      const b = log[i + 1]!;
      const gap = b.t - (a.t + a.durationMs);
      if (soonest === undefined || gap < soonest.gap) soonest = { gap, a, b };
      if (latest === undefined || gap > latest.gap) latest = { gap, a, b };
    }
    const failed = (x: QueryRecord): string => `${x.instance}'s at ${at(x.t)} failed at ${at(x.t + x.durationMs)}`;
    if (soonest !== undefined && soonest.gap < retry) {
      const { gap, a, b } = soonest;
      return {
        pass: false,
        measured,
        figure: gap,
        bound: retry,
        message: `while the origin was down the fleet sent ${inOutage.length} refresh attempts; ${failed(a)} and ${b.instance}'s came ${gap < 0 ? 'before that' : `${ms(gap)} after`}, want the fleet's next attempt swr.retryMs (${retry} ms) after each failure, not sooner: hold it off in the store for the whole fleet (keep the claim, cut to retryMs, while it is yours)`,
        series,
      };
    }
    if (latest !== undefined && latest.gap > retry + RETRY_SLACK) {
      const { gap, a, b } = latest;
      // Up to the claim's expiry: the claim kept; far beyond it: nobody tried, though the key was read.
      const why =
        gap <= SWR.claimMs + RETRY_SLACK
          ? `the claim kept its claimMs (${SWR.claimMs} ms); cut it to retryMs when the refresh fails`
          : `no instance tried for ${ms(gap)} while the key was read all along (claimMs is ${SWR.claimMs} ms): a failed refresh must leave this instance free to refresh again (clear its in-flight mark on failure too)`;
      return {
        pass: false,
        measured,
        figure: gap,
        bound: retry,
        message: `while the origin was down, ${failed(a)} and the fleet's next attempt (${b.instance}'s) came ${ms(gap)} after it, want swr.retryMs (${retry} ms) after each failure, within ${RETRY_SLACK} ms: ${why}`,
        series,
      };
    }
    // Back to normal: a fresh value soon after the origin returns, then one refresh per window.
    const back = log.find((q) => q.t >= OUTAGE.toMs && q.outcome === 'ok');
    const soft = spec.ttlMs;
    // The attempt under way when the origin returns fails; retryMs later the next one succeeds.
    const within = retry + 2 * ONE_QUERY + 3 * RETRY_SLACK;
    if (back === undefined || back.t + back.durationMs > OUTAGE.toMs + within) {
      const when = back ? `at ${at(back.t + back.durationMs)}` : 'never';
      return {
        pass: false,
        measured,
        message: `the origin came back at ${at(OUTAGE.toMs)}; the first fresh value landed ${when}, want within ${ms(within)} (the attempt under way, retryMs, one more query): keep retrying every retryMs while the value is stale; a failed refresh must leave this instance free to refresh again`,
        series,
      };
    }
    // Then the refreshes of the rest of the run: one per soft expiry, none missing.
    const later = log.slice(log.indexOf(back));
    for (let k = 1; k < later.length; k++) {
      const d = later[k]!.t - later[k - 1]!.t;
      if (d < soft / 2) {
        return { pass: false, measured, message: `after the outage, two refreshes came ${ms(d)} apart (${later[k - 1]!.instance} at ${at(later[k - 1]!.t)}, ${later[k]!.instance} at ${at(later[k]!.t)}), want 1 per soft expiry again once the origin is back`, series };
      }
    }
    const ends = [...later.slice(1).map((q) => q.t), spec.durationMs];
    const gapIdx = later.findIndex((q, i) => ends[i]! - (q.t + q.durationMs) > soft + 1000);
    if (gapIdx >= 0) {
      const q = later[gapIdx]!;
      const until = gapIdx + 1 < later.length ? `until ${at(ends[gapIdx]!)}` : 'for the rest of the run';
      return {
        pass: false,
        measured,
        message: `after the outage, the value built at ${at(q.t + q.durationMs)} went stale at about ${at(q.t + q.durationMs + soft)} and no refresh came ${until} while the key was read, want one every soft TTL (${seconds(soft)}) again: a failed refresh must not leave a mark that blocks later refreshes`,
        series,
      };
    }
    const oldest = run.report.freshness.maxAgeMs;
    return {
      pass: true,
      measured: `0 failed; ${inOutage.length} attempts in ${seconds(OUTAGE.toMs - OUTAGE.fromMs)}, each ${soonest ? `${ms(soonest.gap)}-${ms(latest!.gap)}` : '-'} after a failure; fresh ${ms(back.t + back.durationMs - OUTAGE.toMs)} after the origin returned, then ${later.length - 1} refreshes, one per window; oldest served ${seconds(oldest)}`,
      ...(soonest ? { figure: soonest.gap, bound: retry } : {}),
      series,
    };
  },

  async 'cold start'({ seed, exports }): Promise<Outcome> {
    const r = await fleetRun(exports, fleetSlowPatch(seed));
    const b = r.report.boundaries[0];
    if (b === undefined) return { pass: false, measured: '0 queries', message: 'the fleet never queried the origin, want 1 rebuild at the cold start: on a miss, return deps.coldFill(key)' };
    const slowest = slowestAround(r, 0, b.end);
    const measured = `${b.queries} ${b.queries === 1 ? 'query' : 'queries'}, slowest wait ${ms(slowest?.latency ?? 0)}`;
    if (b.queries !== 1) {
      return {
        pass: false,
        measured,
        figure: b.queries,
        bound: 1,
        message: `cold start at ${at(b.start)}: the fleet sent ${b.queries} queries to the origin for an empty cache ([${b.byInstance.join(', ')}] by instance), want 1: when nothing is cached, wait for the fleet's one rebuild with deps.coldFill(key)`,
        series: r.report.origin.perSecond,
      };
    }
    if (slowest !== undefined && slowest.latency > LOCK.pxMs) {
      return { pass: false, measured, message: `a request at the cold start waited ${ms(slowest.latency)}, want <= ${LOCK.pxMs} ms (the cold path's lock expiry)` };
    }
    return { pass: true, measured, figure: b.queries, bound: 1 };
  },

  async 'failed refresh frees the claim'({ exports }): Promise<Outcome> {
    // A long claim, a short retry: a failed refresh that keeps its claim shows as a claimMs gap.
    const swr: SwrOptions = { softTtlMs: 2000, hardTtlMs: 20_000, claimMs: 8000, retryMs: 1000 };
    const r = await rig(exports, swr, 2);
    const { clock, origin, caches, reads } = r;
    const endAt = 14_000;
    await play(clock, 'a get("home")', async () => {
      reads.push(await timedGet(clock, caches[0]!, 'home'));
      // The first refresh fails; the origin is fine again at once.
      origin.failNext(1);
      // Each instance reads every 100 ms, 50 ms apart from the other.
      await Promise.all(
        caches.map(async (c, i) => {
          await clock.sleep(50 * i);
          while (clock.now() < endAt) {
            reads.push(await timedGet(clock, c, 'home'));
            await clock.sleep(100);
          }
        }),
      );
    });
    const log = origin.log;
    const failed = log.findIndex((q) => q.outcome === 'error');
    const attempts = log.length - 1;
    const measured = `${attempts} refresh attempts in ${seconds(endAt)}`;
    if (failed < 0) {
      return { pass: false, measured, message: `no refresh was attempted in ${seconds(endAt)} of reads every 50 ms (soft TTL ${swr.softTtlMs} ms), want the first at the soft expiry: a stale entry must start a refresh` };
    }
    const fq = log[failed]!;
    const fEnd = fq.t + fq.durationMs;
    const bad = reads.filter((x) => x.error !== undefined);
    if (bad.length > 0) {
      return {
        pass: false,
        measured,
        message: `${bad.length} ${bad.length === 1 ? 'read' : 'reads'} failed after the refresh at ${at(fq.t)} failed (the first at ${at(bad[0]!.at)}: ${errorText(bad[0]!.error)}), want 0: the stale value is within its hard TTL (${seconds(swr.hardTtlMs)}); keep serving it, and catch the refresh's error`,
      };
    }
    const next = log[failed + 1];
    const budget = swr.retryMs + 200;
    const gap = next === undefined ? Infinity : next.t - fEnd;
    if (next === undefined || gap > budget) {
      const when = next ? `at ${at(next.t)}, ${ms(gap)} later` : `never (until ${at(endAt)})`;
      return {
        pass: false,
        measured,
        ...(next ? { figure: gap, bound: budget } : {}),
        message: `the refresh at ${at(fq.t)} failed at ${at(fEnd)}; the next attempt came ${when}, want swr.retryMs after the failure (${swr.retryMs}-${budget} ms; reads come every 50 ms; claimMs is ${swr.claimMs} ms): a failed refresh kept its claim until it expired; shorten it to retryMs when the refresh fails`,
      };
    }
    if (gap < swr.retryMs) {
      return {
        pass: false,
        measured,
        figure: gap,
        bound: budget,
        message: `the refresh at ${at(fq.t)} failed at ${at(fEnd)}; the next attempt came at ${at(next.t)}, ${ms(gap)} later, want swr.retryMs (${swr.retryMs} ms) after the failure, not sooner: hold the next attempt off from the failure on`,
      };
    }
    // A second round: after the retry succeeded, one refresh per soft window again.
    const later = log.slice(failed + 1);
    for (let k = 1; k < later.length; k++) {
      const d = later[k]!.t - later[k - 1]!.t;
      if (d < swr.softTtlMs / 2) {
        return { pass: false, measured, message: `after the failed refresh, two refreshes came ${ms(d)} apart (${later[k - 1]!.instance} at ${at(later[k - 1]!.t)}, ${later[k]!.instance} at ${at(later[k]!.t)}), want one per soft TTL (${swr.softTtlMs} ms)` };
      }
    }
    const lastEnd = later.length > 0 ? later[later.length - 1]!.t : fEnd;
    if (later.length < 2 || endAt - lastEnd > swr.softTtlMs + 1000) {
      return { pass: false, measured, message: `after the retry at ${at(next.t)}, ${later.length - 1} more refreshes by ${at(endAt)}, want one every soft TTL (${swr.softTtlMs} ms) while the key is read: the claim must be free again after a successful refresh` };
    }
    return { pass: true, measured: `retry ${ms(gap)} after the failure (retryMs ${swr.retryMs}, claimMs ${swr.claimMs}); then ${later.length - 1} refreshes, one per window`, figure: gap, bound: budget };
  },

  async 'late write refused'({ exports }): Promise<Outcome> {
    // The first refresh (query 2) takes about 1.7 s, past its 1 s claim: a second refresher takes
    // the claim, fetches in 200 ms and writes a newer version; then the first one's write arrives.
    const r = await rig(exports, LAPSE, 3, (q) => (q === 2 ? { slowdown: 8 } : undefined));
    await play(r.clock, 'a get("home")', () => readAlong(r, 'home', 4000));
    const log = r.origin.log;
    const slow = log[1];
    const measured = `${log.length} queries; ${r.reads.length} reads`;
    const back = wentBack(r.reads);
    const behind = countBehind(r.reads);
    if (back !== undefined) {
      const { newer, older } = back;
      const lapsed = slow && slow.durationMs > LAPSE.claimMs ? `the refresh that began at ${at(slow.t)} outlived its claim (its query took ${ms(slow.durationMs)}, claimMs ${LAPSE.claimMs} ms), and its late write put the older value back` : 'an older value was written over a newer one';
      return {
        pass: false,
        measured: `${measured}; ${behind} got an older version than one served before`,
        figure: behind,
        bound: 0,
        message: `${newer.instance} read version ${newer.value!.version} at ${at(newer.at)}; ${older.instance}'s read at ${at(older.at)} got version ${older.value!.version}, want nothing older once a newer value was served: ${lapsed}; take store.nextFence(key) before the fetch and write with store.setFenced(key, entry, fence, hardTtlMs), which refuses a write older than the last one`,
      };
    }
    return { pass: true, figure: 0, bound: 0, measured: `${measured}; the refresh that outlived its claim (${slow ? ms(slow.durationMs) : '-'}) never replaced a newer value` };
  },

  async 'late failure leaves the claim'({ exports }): Promise<Outcome> {
    // The first refresh (query 2) runs past its 1 s claim and fails; the second refresher, which
    // took the lapsed claim, needs about 850 ms, so it is still running when the first one fails.
    const plan = (q: number): QueryPlan | undefined => (q === 2 ? { slowdown: 5.7, fail: true } : q === 3 ? { slowdown: 4 } : undefined);
    const r = await rig(exports, LAPSE, 3, plan);
    await play(r.clock, 'a get("home")', () => readAlong(r, 'home', 4000));
    const log = r.origin.log;
    const bound = LAPSE.claimMs - 100;
    const pair = overlapping(log.slice(1));
    const measured = `${log.length - 1} refreshes${pair ? `; closest two at once began ${ms(pair.ms)} apart` : ''}`;
    const figure = pair?.ms;
    if (pair !== undefined && pair.ms < bound) {
      const { a, b } = pair;
      const first = log[1]!;
      const failEnd = first.t + first.durationMs;
      // The planned story: the first refresh failed after its claim lapsed, then a third began beside the second.
      const cut = first.outcome === 'error' && first.durationMs > LAPSE.claimMs && a !== first && b.t >= failEnd;
      const story = cut ? `the refresh at ${at(first.t)} outlived its claim and failed at ${at(failEnd)}; ` : '';
      const why = cut
        ? 'a late failure cut a claim that was no longer its own; shorten the claim only while it is yours (store.setFenced(claim, token, claimFence, retryMs)), or keep the retry pace in a backoff key'
        : 'one refresh at a time for the fleet, under the claim in the store (store.acquire(`refresh:${key}`, token, swr.claimMs))';
      return {
        pass: false,
        measured,
        figure,
        bound,
        message: `${story}${b.instance}'s refresh began at ${at(b.t)} while ${a.instance}'s, begun at ${at(a.t)}, was still running (its claim held until about ${at(a.t + LAPSE.claimMs)}), want no second refresh under a live claim: ${why}`,
      };
    }
    return { pass: true, measured, ...(figure !== undefined ? { figure, bound } : {}) };
  },

  async 'real Redis: one refresh per window'({ seed, exports }): Promise<Outcome> {
    return onRealRedis(async (url) => {
      // A refresh started by the last requests may still be running: it lands before the keys go,
      // and it counts (the origin's log is read after the settle).
      const run = await runAppOnRedis(url, (store) => (e) => swrCacheApp(e, { store: () => store, swr: REDIS.swr }), exports, redisBursts(seed), REDIS.SETTLE_MS);
      const { report } = run;
      const all = clusterBoundaries(run.origin.log, REDIS.softTtlMs / 2, ['i0', 'i1', 'i2', 'i3']);
      const counts = all.map((b) => b.queries);
      const windows = report.boundaries.slice(1);
      // A refresh started by the last burst may run past the load: a window with no request in it has no p99.
      const p99 = Math.max(0, ...windows.filter((b) => b.requests > 0).map((b) => b.p99));
      // Gated on the median: in real time one event-loop stall can reach the p99, while a fleet
      // that waits for its refresh puts most of the window's requests behind the origin.
      const p50 = medianIn(run, windows);
      const measured = `${counts.length === 0 ? 0 : range(counts)} per window (${counts.length} windows in ${seconds(REDIS.durationMs)}, 4 instances, real time); at soft expiries p50 ${ms(p50)}, p99 ${ms(p99)}`;
      const most = counts.length === 0 ? 0 : Math.max(...counts);
      const w = all.find((b) => b.queries !== 1);
      if (w !== undefined) {
        return {
          pass: false,
          measured,
          figure: w.queries,
          bound: 1,
          message: `on Redis, window at ${at(w.start)}: the fleet sent ${w.queries} queries to the origin ([${w.byInstance.join(', ')}] by instance), want 1`,
          series: report.origin.perSecond,
        };
      }
      // A read that found the value stale (on every host: no skew here) must start a refresh that
      // reaches the origin by the end of the settle. Timed from what happened, not from the plan:
      // on a loaded machine the cold start itself may land late in the run.
      const cold = all[0];
      let stale = -1;
      for (let i = 0; cold !== undefined && i < run.served.n; i++) {
        if (run.served.start[i]! >= cold.end + REDIS.softTtlMs + 20) {
          stale = i;
          break;
        }
      }
      if (cold === undefined || (stale >= 0 && counts.length < 2)) {
        const what = cold === undefined ? 'no origin query at all' : `a read at ${at(run.served.start[stale]!)} found the value built at ${at(cold.end)} stale (soft TTL ${REDIS.softTtlMs} ms), and no refresh reached the origin by ${REDIS.SETTLE_MS} ms after the load`;
        return { pass: false, measured, message: `on Redis, ${what}, want the cold start and a refresh per soft expiry` };
      }
      if (!(p50 < REDIS.origin.latencyMs / 2)) {
        return { pass: false, measured, message: `on Redis, requests at a soft expiry took ${ms(p50)} (median), want well under one origin query (${REDIS.origin.latencyMs} ms): serve the stale value, refresh in the background` };
      }
      return { pass: true, measured, figure: most, bound: 1 };
    });
  },
};

/** The median latency of the requests that started inside the windows. */
function medianIn(r: RunResult, windows: ReadonlyArray<{ start: number; end: number }>): number {
  const lat: number[] = [];
  for (let i = 0; i < r.served.n; i++) {
    const s = r.served.start[i]!;
    if (windows.some((b) => s >= b.start && s <= b.end)) lat.push(r.served.latency[i]!);
  }
  lat.sort((a, b) => a - b);
  return lat.length === 0 ? 0 : lat[Math.floor((lat.length - 1) / 2)]!;
}
