/**
 * Hidden checks for module 07 (negative caching): at most one "not found" per absent key per
 * negative TTL; a scan of 18,000 distinct absent ids held to maxNegative entries, measured by
 * reading back what it scanned, and exactly at a bound of 100 with nothing else reading; two
 * caches one after the other keeping nothing of each other's; the existing items' hit rate unmoved by the scan; a key that
 * comes into existence served within the negative TTL, and at once once created(key) says so;
 * an origin error or timeout never kept as "not found"; and a fleet of four sharing its negative
 * entries through the store with a PX (a copy never outliving its entry, even one taken in the
 * entry's last millisecond; created() resolving once the entry is gone), on the embedded store
 * and on a real Redis in real time.
 */
import { isHerdError, type RunResult, type ScenarioSpec, type SharedStore } from '@herd/harness/engine';
import { auditAnswers } from '../../src/cache/audit.js';
import { onRealRedis, runAppOnRedis } from '../../src/cache/on-redis.js';
import { runApp } from '../../src/cache/run-app.js';
import { loggedStore, type StoreCommand } from '../../src/cache/store-log.js';
import { at, ms, n } from '../../src/check-kit.js';
import type { CheckFn, Exports, Outcome } from '../../src/define.js';
import { STORE_LATENCY } from '../03-distributed-lock/checks.js';
import { negativeCacheApp, nullGrace, type Announcements, type NegativeAppOptions } from './app.js';
import { answeredFromCache, cachedShare, crowding, itemHitRate, lastNullFrom, probes, replayedFailures, retriedInside, unbackedNulls, type Crowding } from './measure.js';
import { CHECK_SCAN, CREATED, EDGE, EXACT, edgeScenario, FAULTS, NEG, POP, TWINS, absent, exactScenario, faultyScenario, negativeScenario, twinScenario } from './scenarios.js';

/** Origin "not found" answers per absent key per negative TTL, per instance: the module's claim. */
export const PER_TTL = 1;
/** The positive items' hit rate during the scan may be this much below the run without it (points). */
export const HIT_MARGIN = 0.01;
/** At least this share of the repeated absent ids' reads must be answered from a negative entry (about 0.7 with a 5 s TTL). */
export const CACHED_SHARE = 0.5;
/** Fleet-wide "not found" queries per key per window, 4 instances on one store (about 1.0; 3-4 with no sharing). */
export const FLEET_PER_WINDOW = 1.25;
/** The fleet on a real Redis: wide, a loaded machine stretches every delay. */
export const REAL = { negativeTtlMs: 1_000, durationMs: 2_500, perWindow: 2, windowSlackMs: 100 } as const;

/** A store name about an absent id (whatever prefix the learner gives it). */
const ABSENT_NAME = /(?:^|[^a-z])(?:gone|scan):\S+$/;
const isGone = (k: string): boolean => k.startsWith('gone:');
const isAbsentId = (k: string): boolean => isGone(k) || k.startsWith('scan:');
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** Runs shared by the checks of one grade: the same exports and seed give the same run. */
const runs = new WeakMap<Exports, Map<string, Promise<{ run: RunResult; announced: Announcements; spec: ScenarioSpec }>>>();
function cachedRun(exports: Exports, label: string, spec: ScenarioSpec, options: NegativeAppOptions = {}): Promise<{ run: RunResult; announced: Announcements; spec: ScenarioSpec }> {
  let mine = runs.get(exports);
  if (mine === undefined) runs.set(exports, (mine = new Map()));
  const id = `${label}/${spec.seed}`;
  let run = mine.get(id);
  if (run === undefined) {
    const announced: Announcements = new Map();
    run = runApp((e) => negativeCacheApp(e, { ...options, announced }), exports, spec, { allowFailures: true, allowWrongAnswers: true }).then((r) => ({ run: r, announced, spec }));
    mine.set(id, run);
  }
  return run;
}

const quiet = (exports: Exports, seed: number) => cachedRun(exports, 'quiet', negativeScenario(seed, { scan: false }));
const scanning = (exports: Exports, seed: number) => cachedRun(exports, 'scan', negativeScenario(seed, { scan: CHECK_SCAN }));

/** The failure every check reports first when "not found" is not cached at all (the starter's). */
function notCached(run: RunResult, where = ''): Outcome | undefined {
  const c = answeredFromCache(run, isGone);
  const share = cachedShare(c);
  if (share >= CACHED_SHARE) return undefined;
  return {
    pass: false,
    measured: `${pct(share)} of absent-id reads cached`,
    message: `${where}${n(c.reads - c.cached)} of ${n(c.reads)} reads of absent ids reached the origin (${pct(share)} answered from the cache), want at least ${pct(CACHED_SHARE)}: "not found" is not cached; keep it for deps.negativeTtlMs`,
    figure: share,
    bound: CACHED_SHARE,
  };
}

function crowded(c: Crowding, windowMs: number, where = ''): Outcome | undefined {
  if (c.most <= PER_TTL) return undefined;
  return {
    pass: false,
    measured: `${c.most} per key per ${ms(windowMs)}`,
    message: `${where}${c.instance} asked the origin about "${c.key}" ${c.most} times within ${ms(windowMs)} from ${at(c.at)}, each answered "not found", want at most ${PER_TTL} per negative TTL: keep the null for deps.negativeTtlMs (in ms), and check it before the origin`,
    figure: c.most,
    bound: PER_TTL,
  };
}

/** Null answers not backed by a "not found" from the origin within the negative TTL before them. */
function unbacked(run: RunResult, windowMs: number, where = ''): Outcome | undefined {
  const u = unbackedNulls(run, windowMs, isAbsentId);
  if (u.count === 0 || u.first === undefined) return undefined;
  const f = u.first;
  const since = Number.isFinite(f.lastAbsent) ? `the origin last said "not found" ${ms(f.at - f.lastAbsent)} before` : 'the origin never said "not found"';
  return {
    pass: false,
    measured: `${n(u.count)} unbacked nulls`,
    message: `${where}i${f.instance} answered null for "${f.key}" at ${at(f.at)}, but ${since}, want a null only within deps.negativeTtlMs (${ms(windowMs - 5)}) of one: an error or a timeout kept as "not found", or an entry kept past its TTL (${n(u.count)} such nulls)`,
    figure: u.count,
    bound: 0,
  };
}

/**
 * Every run's answers, audited after the check's own figures (which name the symptom first):
 * each value the key's own, no older than the TTL, a null only for a key absent or created less
 * than the negative TTL ago.
 */
function audited(outcome: Outcome, ...used: Array<{ run: RunResult; spec: ScenarioSpec }>): Outcome {
  if (!outcome.pass) return outcome;
  for (const { run, spec } of used) {
    const wrong = auditAnswers(run.served, spec, spec.ttlMs + 5, nullGrace(NEG.negativeTtlMs, false));
    if (wrong !== undefined) return { pass: false, measured: 'a wrong answer', message: wrong, series: outcome.series };
  }
  return outcome;
}

/** A null answered for an existing item: only a live negative entry may answer null. */
function nullForExisting(run: RunResult, where: string, why: string): Outcome | undefined {
  const { served } = run;
  for (let i = 0; i < served.n; i++) {
    const key = served.keys[served.key[i]!]!;
    if (served.ok[i] === 1 && served.answer[i] === 1 && key.startsWith('item:')) {
      return { pass: false, measured: 'null for an existing key', message: `${where}i${served.instance[i]} answered null for "${key}" at ${at(served.start[i]!)}, which exists: ${why}` };
    }
  }
  return undefined;
}

/**
 * Two caches one after the other in one process, in worlds of their own: the second answers
 * null for an id that exists in its world only if negative entries outlive their cache.
 */
async function judgeTwins(exports: Exports, seed: number): Promise<Outcome | undefined> {
  const options = { allowFailures: true, allowWrongAnswers: true };
  await runApp((e) => negativeCacheApp(e, { silent: true }), exports, twinScenario(seed, false), options);
  const second = await runApp((e) => negativeCacheApp(e, { silent: true }), exports, twinScenario(seed, true), options);
  const { served } = second;
  let nulls = 0;
  let first = -1;
  for (let i = 0; i < served.n; i++) {
    if (served.ok[i] !== 1 || served.answer[i] !== 1 || !TWINS.includes(served.keys[served.key[i]!]!)) continue;
    nulls++;
    if (first < 0) first = i;
  }
  if (first < 0) return undefined;
  return {
    pass: false,
    measured: `${n(nulls)} nulls from a second cache`,
    message: `a second cache, built after a first one in the same process, answered null for "${served.keys[served.key[first]!]}" at ${at(served.start[first]!)}, which exists in its world and which it never asked about (${n(nulls)} such nulls): negative entries outlive the cache that made them; keep them inside what createNegativeCache returns, not at module scope`,
    figure: nulls,
    bound: 0,
  };
}

/** A read of the wall clock (or a timer outside deps.clock) fails the check that ran it, naming the line. */
function guarded(fn: CheckFn): CheckFn {
  return async (ctx) => {
    try {
      return await fn(ctx);
    } catch (error) {
      if (!isHerdError(error, 'GLOBAL_TIMER')) throw error;
      return { pass: false, measured: 'a clock outside deps.clock', message: `${error.message}: negative entries must expire on the run's clock (lru-cache's perf option: { now: () => deps.clock.now() + 1 })` };
    }
  };
}

const raw: Record<string, CheckFn> = {
  'one "not found" per key per negative TTL': async ({ seed, exports }) => {
    const q = await quiet(exports, seed);
    const { run } = q;
    const series = run.report.origin.perSecond;
    const c = crowding(run, NEG.negativeTtlMs, (k) => !k.startsWith('item:'));
    // Two caches back to back first: entries left by an earlier cache would show below as nulls the origin never backed.
    const fail = (await judgeTwins(exports, seed)) ?? crowded(c, NEG.negativeTtlMs) ?? notCached(run) ?? unbacked(run, nullGrace(NEG.negativeTtlMs, false));
    if (fail) return { ...fail, series };
    const share = cachedShare(answeredFromCache(run, isGone));
    return audited({ pass: true, measured: `${c.most} per key per TTL; ${pct(share)} cached`, figure: c.most, bound: PER_TTL, series }, q);
  },

  'scan: negative entries bounded': async ({ seed, exports }) => {
    const sc = await scanning(exports, seed);
    const { run } = sc;
    const series = run.report.origin.perSecond;
    const all = probes(run, NEG.maxNegative / 2, CHECK_SCAN);
    const scanned = run.origin.log.filter((q) => q.key.startsWith('scan:')).length;
    const most = all.reduce((m, p) => (p.held > m.held ? p : m), all[0]!);
    if (most.held > NEG.maxNegative) {
      return {
        pass: false,
        measured: `held ${n(most.held)} of ${n(most.reads)}`,
        message: `at ${at(most.at)} the cache still held ${n(most.held)} of the ${n(most.reads)} absent ids the scan had just read, want at most deps.maxNegative (${n(NEG.maxNegative)}): the negative space is not bounded; new LRUCache({ max: deps.maxNegative, ... })`,
        figure: most.held,
        bound: NEG.maxNegative,
        series,
      };
    }
    const fewest = all.reduce((m, p) => (p.newestHeld < m.newestHeld ? p : m), all[0]!);
    if (fewest.newestHeld < fewest.newest) {
      return {
        pass: false,
        measured: `newest held ${n(fewest.newestHeld)} of ${n(fewest.newest)}`,
        message: `at ${at(fewest.at)} the cache held ${n(fewest.newestHeld)} of the ${n(fewest.newest)} absent ids the scan read last, want all of them (they are within the TTL and fit in half of deps.maxNegative): evict the least recently used, one at a time, not everything`,
        figure: fewest.newestHeld,
        bound: fewest.newest,
        series,
      };
    }
    const ex = await cachedRun(exports, 'exact', exactScenario(seed), { maxNegative: EXACT.maxNegative, silent: true });
    const exact = probes(ex.run, EXACT.maxNegative / 2, EXACT.scan);
    const top = exact.reduce((m, p) => (p.held > m.held ? p : m), exact[0]!);
    if (top.held > EXACT.maxNegative) {
      return {
        pass: false,
        measured: `held ${n(top.held)} of ${n(top.reads)} at a bound of ${EXACT.maxNegative}`,
        message: `with deps.maxNegative at ${EXACT.maxNegative} and only the scan reading, at ${at(top.at)} the cache answered ${n(top.held)} of the ${n(top.reads)} ids the scan had just read from memory, want at most ${EXACT.maxNegative}: the bound is exact; make room before the insert that would pass it (evict while size >= max)`,
        figure: top.held,
        bound: EXACT.maxNegative,
        series,
      };
    }
    const low = exact.reduce((m, p) => (p.newestHeld < m.newestHeld ? p : m), exact[0]!);
    if (low.newestHeld < low.newest) {
      return {
        pass: false,
        measured: `newest held ${n(low.newestHeld)} of ${n(low.newest)} at a bound of ${EXACT.maxNegative}`,
        message: `with deps.maxNegative at ${EXACT.maxNegative}, at ${at(low.at)} the cache held ${n(low.newestHeld)} of the ${n(low.newest)} absent ids the scan read last, want all of them: take the bound from deps.maxNegative and evict the least recently used, one at a time`,
        figure: low.newestHeld,
        bound: low.newest,
        series,
      };
    }
    return audited({ pass: true, measured: `held <= ${n(most.held)} of ${n(most.reads)}; exactly ${n(top.held)} at a bound of ${EXACT.maxNegative}`, figure: top.held, bound: EXACT.maxNegative, series }, sc, ex);
  },

  'scan: positive hit rate kept': async ({ seed, exports }) => {
    const q = await quiet(exports, seed);
    const without = q.run;
    const sc = await scanning(exports, seed);
    const { run } = sc;
    const series = run.report.origin.perSecond;
    const fail = notCached(without);
    if (fail) return { ...fail, series };
    // Without the scan nothing evicts a value: each item is asked once per deps.ttlMs at most.
    const values = crowding(without, NEG.ttlMs, (k) => k.startsWith('item:'), {}, 'ok');
    if (values.most > 1) {
      return {
        pass: false,
        measured: `${values.most} queries per item per ${ms(NEG.ttlMs)}`,
        message: `without the scan, ${values.instance} asked the origin for "${values.key}" ${values.most} times within ${ms(NEG.ttlMs)} from ${at(values.at)}, want at most 1 per deps.ttlMs: cache values for deps.ttlMs (30 s); the short TTL is for "not found" only`,
        figure: values.most,
        bound: 1,
        series,
      };
    }
    const span = { fromMs: CHECK_SCAN.fromMs, toMs: CHECK_SCAN.toMs };
    const a = itemHitRate(without, span);
    const b = itemHitRate(run, span);
    const drop = a.rate - b.rate;
    if (drop > HIT_MARGIN) {
      return {
        pass: false,
        measured: `${pct(b.rate)} vs ${pct(a.rate)}`,
        message: `during the scan the existing items' hit rate was ${pct(b.rate)} (${n(b.queries)} queries), against ${pct(a.rate)} without it, want within ${HIT_MARGIN * 100} point: the scan's entries push the values out; keep negative entries in a space of their own`,
        figure: drop,
        bound: HIT_MARGIN,
        series,
      };
    }
    return audited({ pass: true, measured: `${pct(b.rate)} vs ${pct(a.rate)} without the scan`, figure: drop, bound: HIT_MARGIN, series }, q, sc);
  },

  'created key served within the negative TTL': async ({ seed, exports }) => {
    const q = await quiet(exports, seed);
    const { run } = q;
    const series = run.report.origin.perSecond;
    const before = crowding(run, NEG.negativeTtlMs, (k) => k.startsWith('new:'), { toMs: POP.createdFromMs });
    const early = crowded(before, NEG.negativeTtlMs, 'before it existed, ') ?? notCached(run);
    if (early) return { ...early, series };
    let worst = { key: '', late: -Infinity };
    for (const c of CREATED) {
      const last = lastNullFrom(run, c.quiet, c.at);
      const late = Number.isNaN(last) ? 0 : last - c.at;
      if (late > worst.late) worst = { key: c.quiet, late };
    }
    const bound = nullGrace(NEG.negativeTtlMs, false);
    if (worst.late > bound) {
      return {
        pass: false,
        measured: `null ${ms(worst.late)} after creation`,
        message: `"${worst.key}" was still answered null ${ms(worst.late)} after it came into existence, want at most the negative TTL (${ms(NEG.negativeTtlMs)}): give negative entries deps.negativeTtlMs, not deps.ttlMs and not forever`,
        figure: worst.late,
        bound,
        series,
      };
    }
    return audited({ pass: true, measured: `last null ${ms(Math.max(0, worst.late))} after creation`, figure: worst.late, bound, series }, q);
  },

  'created(key) served at once': async ({ seed, exports }) => {
    const q = await quiet(exports, seed);
    return audited(judgeAnnounced(q.run, q.announced, q.run.report.origin.perSecond), q);
  },

  'errors and timeouts never kept as "not found"': async ({ seed, exports }) => {
    const spec = faultyScenario(seed);
    const f = await cachedRun(exports, 'faulty', spec);
    return audited(judgeFaults(f.run, spec, ''), f);
  },

  'fleet: negative entries shared with a PX': async ({ seed, exports }) => {
    const log: StoreCommand[] = [];
    const spec = negativeScenario(seed, { scan: false, instances: 4, name: 'absent ids, fleet x4' });
    const wrapStore = (instance: string, store: SharedStore, clock: Parameters<typeof loggedStore>[1]) => loggedStore(store, clock, instance, log, (op) => op === 'set' || op === 'setFenced' || op === 'acquire');
    // The moment each created(key) resolves, the store itself is read: its entry must be gone.
    let shared: SharedStore | undefined;
    const lingered: Array<{ instance: string; key: string; name: string; left: number; at: number }> = [];
    const afterCreated = async (instance: string, key: string, atMs: number): Promise<void> => {
      if (shared === undefined) return;
      const names = new Set(log.filter((cmd) => cmd.op === 'set' && cmd.name.endsWith(key)).map((cmd) => cmd.name));
      for (const name of names) {
        const left = await shared.pttl(name);
        if (left > 0) lingered.push({ instance, key, name, left, at: atMs });
      }
    };
    const fl = await cachedRun(exports, 'fleet', spec, { shared: true, storeLatencyMs: STORE_LATENCY, wrapStore, onSharedStore: (s) => (shared = s), afterCreated });
    const { run, announced } = fl;
    const series = run.report.origin.perSecond;
    const c = crowding(run, NEG.negativeTtlMs, (k) => !k.startsWith('item:'));
    const where = 'in the fleet, ';
    const first = crowded(c, NEG.negativeTtlMs, where);
    if (first) return { ...first, series };
    if (c.perWindow > FLEET_PER_WINDOW) {
      return {
        pass: false,
        measured: `${c.perWindow.toFixed(2)} per key per TTL, fleet-wide`,
        message: `the 4 instances asked the origin ${c.perWindow.toFixed(2)} times per absent key per negative TTL, want at most ${FLEET_PER_WINDOW}: share each "not found" through deps.store (set with a PX of deps.negativeTtlMs) and read it there before the origin`,
        figure: c.perWindow,
        bound: FLEET_PER_WINDOW,
        series,
      };
    }
    const second =
      notCached(run, where) ??
      nullForExisting(run, where, 'only a live entry in the store answers null (PTTL above 0; -2 is no entry, -1 no expiry)') ??
      unbacked(run, nullGrace(NEG.negativeTtlMs, false), where);
    if (second) return { ...second, series };
    const long = log.find((cmd) => cmd.op === 'set' && ABSENT_NAME.test(cmd.name) && !(Number(cmd.args[1]) <= NEG.negativeTtlMs));
    if (long) {
      return {
        pass: false,
        measured: `PX ${String(long.args[1])} ms`,
        message: `${long.instance} wrote "${long.name}" to the store with a PX of ${String(long.args[1])} ms at ${at(long.sent)}, want at most deps.negativeTtlMs (${ms(NEG.negativeTtlMs)}): the store's copy outlives the negative TTL`,
        series,
      };
    }
    const created = judgeCreatedFleet(run);
    if (created) return { ...created, series };
    const heard = judgeAnnounced(run, announced, series, where);
    if (!heard.pass) return heard;
    const stayed = lingered[0];
    if (stayed !== undefined) {
      return {
        pass: false,
        measured: `${n(lingered.length)} created() resolved early`,
        message: `in the fleet, ${stayed.instance}'s created("${stayed.key}") resolved at ${at(stayed.at)} while the store still held "${stayed.name}" (PTTL ${n(stayed.left)} ms; ${n(lingered.length)} such calls), want it to resolve once the entry is gone: await deps.store.del`,
        figure: lingered.length,
        bound: 0,
        series,
      };
    }
    const edge = await cachedRun(exports, 'edge', edgeScenario(seed), { shared: true, storeLatencyMs: STORE_LATENCY, negativeTtlMs: EDGE.negativeTtlMs, silent: true });
    const grace = nullGrace(EDGE.negativeTtlMs, false);
    for (const key of EDGE.keys) {
      for (let i = 0; i < 4; i++) {
        const last = lastNullFrom(edge.run, key, EDGE.createdAtMs, i);
        if (!Number.isNaN(last) && last - EDGE.createdAtMs > grace) {
          return {
            pass: false,
            measured: `null ${ms(last - EDGE.createdAtMs)} after creation`,
            message: `in the fleet, with a ${ms(EDGE.negativeTtlMs)} negative TTL and every instance reading "${key}" every 2 ms or so, i${i} still answered it null ${ms(last - EDGE.createdAtMs)} after it came into existence, want at most ${ms(EDGE.negativeTtlMs)}: a copy from the store lives for its PTTL and no longer (PTTL 0 is the entry's last millisecond; to lru-cache a ttl of 0 means no expiry)`,
            figure: last - EDGE.createdAtMs,
            bound: grace,
            series,
          };
        }
      }
    }
    return audited({ pass: true, measured: `${c.perWindow.toFixed(2)} per key per TTL fleet-wide; ${c.most} per instance`, figure: c.perWindow, bound: FLEET_PER_WINDOW, series }, fl, edge);
  },

  'real Redis: the fleet shares "not found"': async ({ seed, exports }) => {
    return onRealRedis(async (url) => {
      const once = async (): Promise<Outcome> => {
        const spec = redisSpec(seed);
        const run = await runAppOnRedis(url, (store) => (e) => negativeCacheApp(e, { store: () => store, negativeTtlMs: REAL.negativeTtlMs, silent: true }), exports, spec, 100);
        return judgeRedis(run);
      };
      const first = await once();
      // A second run is for a loaded machine's stalls; a run at more than twice the bound is no stall.
      if (first.pass || (first.figure ?? 0) > 2 * REAL.perWindow) return first;
      const second = await once();
      return second.pass ? { ...second, measured: `${second.measured}; on a second run` } : { ...second, message: `${second.message ?? ''} (a second run failed too)` };
    });
  },
};

export const checks: Record<string, CheckFn> = Object.fromEntries(Object.entries(raw).map(([name, fn]) => [name, guarded(fn)]));

/** The real-time fleet: 4 instances, 20 absent ids read 10 times a second each, items beside them. */
export function redisSpec(seed: number): ScenarioSpec {
  const gone = Array.from({ length: 20 }, (_, i) => `gone:${i}`);
  const items = Array.from({ length: 20 }, (_, i) => `item:${i}`);
  return {
    name: 'redis absent ids x4',
    seed,
    durationMs: REAL.durationMs,
    instances: 4,
    ttlMs: NEG.ttlMs,
    origin: { latencyMs: 20, absent },
    keys: { kind: 'list', keys: [...gone, ...items] },
    load: { kind: 'open', ratePerSec: 400 },
  };
}

function judgeRedis(run: RunResult): Outcome {
  const series = run.report.origin.perSecond;
  const c = crowding(run, REAL.negativeTtlMs - REAL.windowSlackMs, isGone);
  if (c.keys === 0) return { pass: false, measured: '0 queries', message: 'on Redis, the origin got no query for the absent ids, want one per key per negative TTL', series };
  if (c.most > PER_TTL || c.perWindow > REAL.perWindow) {
    return {
      pass: false,
      measured: `${c.perWindow.toFixed(2)} per key per TTL`,
      message: `on Redis, the 4 instances asked the origin ${c.perWindow.toFixed(2)} times per absent key per ${ms(REAL.negativeTtlMs)} negative TTL (${c.instance}: ${c.most} for "${c.key}" in one), want at most ${REAL.perWindow} fleet-wide and ${PER_TTL} per instance: share "not found" through deps.store with a PX`,
      figure: c.perWindow,
      bound: REAL.perWindow,
      series,
    };
  }
  return { pass: true, measured: `${c.perWindow.toFixed(2)} per key per TTL fleet-wide`, figure: c.perWindow, bound: REAL.perWindow, series };
}

/** Every instance: no null for a created key more than the negative TTL after it exists. */
function judgeCreatedFleet(run: RunResult): Outcome | undefined {
  const bound = nullGrace(NEG.negativeTtlMs, false);
  for (const c of CREATED) {
    const last = lastNullFrom(run, c.quiet, c.at);
    if (!Number.isNaN(last) && last - c.at > bound) {
      return {
        pass: false,
        measured: `null ${ms(last - c.at)} after creation`,
        message: `in the fleet, "${c.quiet}" was still answered null ${ms(last - c.at)} after it came into existence, want at most the negative TTL (${ms(NEG.negativeTtlMs)}): a copy taken from the store must not outlive the store's entry (use its PTTL)`,
        figure: last - c.at,
        bound,
      };
    }
  }
  return undefined;
}

function judgeAnnounced(run: RunResult, announced: Announcements, series: number[], where = ''): Outcome {
  const before = crowding(run, NEG.negativeTtlMs, (k) => k.startsWith('inv:'), { toMs: POP.createdFromMs });
  const early = crowded(before, NEG.negativeTtlMs, `${where}before it existed, `) ?? notCached(run, where);
  if (early) return { ...early, series };
  const instances = run.fleet.length;
  let worst = { key: '', instance: 0, late: -Infinity, settled: NaN };
  for (const c of CREATED) {
    if (c.at >= run.report.durationMs) continue;
    for (let i = 0; i < instances; i++) {
      const settled = announced.get(`i${i}`)?.get(c.announced);
      if (settled === undefined || Number.isNaN(settled)) {
        return {
          pass: false,
          measured: 'created() failed',
          message: `${where}i${i}'s created("${c.announced}") ${settled === undefined ? 'never settled (or get() returned no created method)' : 'threw'}, want a promise that resolves once the negative entry is gone`,
          series,
        };
      }
      const last = lastNullFrom(run, c.announced, settled, i);
      const late = Number.isNaN(last) ? -Infinity : last - settled;
      if (late > worst.late) worst = { key: c.announced, instance: i, late, settled };
    }
  }
  if (worst.late >= 0) {
    return {
      pass: false,
      measured: `null ${ms(worst.late)} after created()`,
      message: `${where}i${worst.instance} answered "${worst.key}" null ${ms(worst.late)} after its created() had resolved (${at(worst.settled)}), want its value at once: created(key) must delete the negative entry${where ? ', in deps.store too' : ''}`,
      figure: worst.late,
      bound: 0,
      series,
    };
  }
  return { pass: true, measured: 'no null after created()', figure: 0, bound: 0, series };
}

function judgeFaults(run: RunResult, spec: ScenarioSpec, where: string): Outcome {
  const series = run.report.origin.perSecond;
  const failed = run.origin.log.filter((q) => q.outcome === 'error' || q.outcome === 'timeout');
  const errors = failed.filter((q) => q.outcome === 'error').length;
  const timeouts = failed.length - errors;
  const fail = notCached(run, where);
  if (fail) return { ...fail, series };
  if (errors === 0 || timeouts === 0) {
    return { pass: false, measured: `${errors} errors, ${timeouts} timeouts`, message: `${where}the origin failed ${errors} queries and timed out ${timeouts} during its outages, want both: did get() query the origin during ${at(FAULTS.down.fromMs)}-${at(FAULTS.down.toMs)} and ${at(FAULTS.slow.fromMs)}-${at(FAULTS.slow.toMs)}?`, series };
  }
  // A null for a key that exists: the error (or timeout) came back as "not found".
  const { served } = run;
  for (let i = 0; i < served.n; i++) {
    const key = served.keys[served.key[i]!]!;
    if (served.ok[i] === 1 && served.answer[i] === 1 && key.startsWith('item:')) {
      return {
        pass: false,
        measured: 'null for an existing key',
        message: `${where}i${served.instance[i]} answered null for "${key}" at ${at(served.start[i]!)}, which exists: an origin error or timeout was kept as "not found"; let it reject and cache nothing`,
        series,
      };
    }
  }
  const u = unbacked(run, nullGrace(NEG.negativeTtlMs, false), where);
  if (u) return { ...u, series };
  const r = replayedFailures(run);
  if (r.count > 0 && r.first) {
    return {
      pass: false,
      measured: `${n(r.count)} failures replayed`,
      message: `${where}${r.first.instance}'s get("${r.first.key}") at ${at(r.first.at)} failed without asking the origin, after an earlier query had failed, want the next read to try again (${n(r.count)} such reads): do not cache an error`,
      figure: r.count,
      bound: 0,
      series,
    };
  }
  const inside = retriedInside(run);
  if (inside.count > 0 && inside.first) {
    const f = inside.first;
    return {
      pass: false,
      measured: `${n(inside.count)} reads retried inside get()`,
      message: `${where}${f.instance}'s get("${f.key}") at ${at(f.at)} saw ${f.failures} of its own origin queries fail and answered only ${ms(f.waitedMs)} later (${n(inside.count)} such reads), want the error to reject get(), nothing cached: retrying is the caller's decision, not a loop inside the cache`,
      figure: inside.count,
      bound: 0,
      series,
    };
  }
  // Back to normal: the claim holds over the whole run, the outages included.
  const c = crowding(run, NEG.negativeTtlMs, (k) => !k.startsWith('item:'));
  const crowd = crowded(c, NEG.negativeTtlMs, `${where}with the origin failing, `);
  if (crowd) return { ...crowd, series };
  const items = itemHitRate(run);
  void spec;
  return { pass: true, measured: `${n(errors)} errors, ${n(timeouts)} timeouts: none kept; items ${pct(items.rate)}`, figure: 0, bound: 0, series };
}

/** The optional filter: sized for 1,500 ids, 1,000 given at the start, 500 added later. */
export const FILTER = { start: 1_000, added: 500, probes: 8_000, rates: [0.01, 0.001], standardErrors: 4 } as const;

type IdFilterFactory = (options: { ids: readonly string[]; capacity: number; falsePositiveRate: number }) => { add(id: string): void; mightExist(id: string): unknown };

/** The bound on a measured false positive rate: the configured one plus 4 standard errors of the sample. */
export const fpBound = (rate: number): number => rate + FILTER.standardErrors * Math.sqrt((rate * (1 - rate)) / FILTER.probes);

export const filterCheck: CheckFn = async ({ exports }) => {
  const make = exports.createIdFilter as IdFilterFactory | undefined;
  if (typeof make !== 'function') return { pass: true, skipped: true, measured: '-', message: 'no createIdFilter export: the optional Bloom filter is not graded' };
  const ids = Array.from({ length: FILTER.start }, (_, i) => `item:${i}`);
  const later = Array.from({ length: FILTER.added }, (_, i) => `new:${i}`);
  const measured: string[] = [];
  let worst = { figure: 0, bound: 1 };
  for (const rate of FILTER.rates) {
    const filter = make({ ids, capacity: FILTER.start + FILTER.added, falsePositiveRate: rate });
    for (const id of later) filter.add(id);
    const missed = [...ids, ...later].find((id) => filter.mightExist(id) !== true);
    if (missed !== undefined) {
      return { pass: false, measured: 'a false negative', message: `the filter (false positive rate ${rate}) said "${missed}" does not exist after it was ${missed.startsWith('new:') ? 'added' : 'given at the start'}, want true for every id added: a Bloom filter has no false negatives` };
    }
    let positives = 0;
    for (let i = 0; i < FILTER.probes; i++) if (filter.mightExist(`scan:${i}`) === true) positives++;
    const got = positives / FILTER.probes;
    const bound = fpBound(rate);
    measured.push(`${(got * 100).toFixed(2)}% at ${rate * 100}%`);
    if (got / bound > worst.figure / worst.bound) worst = { figure: got, bound };
    if (got > bound) {
      return {
        pass: false,
        measured: `${(got * 100).toFixed(2)}% false positives`,
        message: `configured for ${rate * 100}% false positives with room for ${n(FILTER.start + FILTER.added)} ids, the filter said ${n(positives)} of ${n(FILTER.probes)} absent ids may exist (${(got * 100).toFixed(2)}%), want at most ${(bound * 100).toFixed(2)}%: size it for the capacity, with the configured rate (BloomFilter.create(capacity, rate))`,
        figure: got,
        bound,
      };
    }
  }
  return { pass: true, measured: measured.join('; '), figure: worst.figure, bound: worst.bound };
};
