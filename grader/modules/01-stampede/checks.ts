/**
 * Hidden checks for module 01 (stampede): the naive cache reproduces the herd at every TTL
 * boundary, keeps each value for deps.ttlMs whatever it is, caches a null like any other answer,
 * its own instrumentation agrees with the harness for each instance on every path (hits, misses,
 * nulls, origin errors), and the learner can predict a herd's size at any rate.
 */
import { percentile, type AppFactory, type ReadThrough, type RunResult, type ScenarioSpec } from '@herd/harness/engine';
import { auditAnswers, auditBoundaries, auditFreshness } from '../../src/cache/audit.js';
import { runApp } from '../../src/cache/run-app.js';
import { at, ms, n, range } from '../../src/check-kit.js';
import type { AppBuilder, CheckFn, Exports, Outcome } from '../../src/define.js';
import { hotKey } from '../../src/scenarios.js';
import { ABSENT_KEY, OTHER_TTLS, PREDICTION_GRID, PRESENT_KEY, STATS_FAULT, absentKey, statsFailing, statsPaths, steadyArrivals, ttlRun } from './scenarios.js';

export { PREDICTION_GRID, steadyArrivals } from './scenarios.js';

interface NaiveCache extends ReadThrough {
  stats?(): { requests: number; misses: number; p99Ms: number };
}
type PredictHerd = (input: { ratePerSec: number; rebuildMs: number }) => number;

/**
 * A naive cache stores the origin's answer the instant it lands, so no value it serves is older
 * than the TTL: every run is audited against that (runApp).
 */
export const app: AppBuilder = async (exports) => ({ factory: exports.createNaiveCache as AppFactory, maxAgeMs: (spec) => spec.ttlMs });

/**
 * A run whose answers the check audits itself, after its own figures: a check names the
 * symptom it is about (values outliving deps.ttlMs...) before the generic BAD_ANSWER would.
 */
const ownRun = (exports: Exports, spec: ScenarioSpec, allowFailures = false): Promise<RunResult> => runApp(app, exports, spec, { allowWrongAnswers: true, allowFailures });
const wrongAnswer = (run: RunResult, spec: ScenarioSpec): string | undefined => auditAnswers(run.served, spec, spec.ttlMs);

/** Herds measured so far, per reference and setting: the same run gives the same herd, every time. */
const herds = new WeakMap<Exports, Map<string, number>>();

/** Origin queries at the first TTL boundary after the cold start, with the reference naive cache. */
export async function measuredHerd(reference: Exports, ratePerSec: number, rebuildMs: number): Promise<number> {
  let known = herds.get(reference);
  if (known === undefined) herds.set(reference, (known = new Map()));
  const setting = `${ratePerSec}/${rebuildMs}`;
  const seen = known.get(setting);
  if (seen !== undefined) return seen;
  const { report } = await runApp(app, reference, steadyArrivals(ratePerSec, rebuildMs));
  const boundary = report.boundaries[1] ?? report.boundaries[0];
  const herd = boundary?.queries ?? 0;
  known.set(setting, herd);
  return herd;
}

export const herdReproduced: CheckFn = async ({ seed, exports }) => {
  const spec = hotKey(seed);
  const run = await ownRun(exports, spec);
  const { report } = run;
  const series = report.origin.perSecond;
  const want = Math.ceil(spec.durationMs / spec.ttlMs);
  const got = report.boundaries.length;
  const fail = (measured: string, message: string, figure?: number): Outcome => ({ pass: false, measured, message, series, ...(figure === undefined ? {} : { figure, bound: want }) });
  if (report.cache.misses === 0) {
    return fail(
      `${n(report.origin.queries)} queries, 0 misses`,
      `deps.cache never missed but the origin took ${n(report.origin.queries)} queries: get() does not read deps.cache (no cache misses recorded); look there first with deps.cache.get(key)`,
    );
  }
  const off = auditBoundaries(report, spec) ?? auditFreshness(report, spec);
  if (off) return fail(`${got} boundaries`, off, got);
  const bad = wrongAnswer(run, spec);
  if (bad) return fail('a wrong answer', bad);
  const wrong = report.boundaries.find((b) => b.queries !== b.misses);
  if (wrong) {
    return fail(
      `${wrong.queries} queries for ${wrong.misses} misses`,
      `boundary at ${at(wrong.start)}: got ${wrong.queries} origin queries for ${wrong.misses} cache misses, want one query per miss (a naive cache fetches once per miss, no more, no less)`,
    );
  }
  const herds = report.boundaries.map((b) => b.queries);
  if (Math.min(...herds) <= 1) {
    return fail(`herd ${range(herds)}`, 'got a boundary with 1 origin query, want a herd at every boundary: coalescing is module 02; here every concurrent miss should reach the origin');
  }
  return { pass: true, measured: `${got} boundaries, herd ${range(herds)} = misses`, series, figure: got, bound: want };
};

/** The oldest value served, as a fraction of the TTL, may not fall below this: values live deps.ttlMs. */
export const TTL_FLOOR = 0.95;

/**
 * Other TTLs than the hot key's 10 s (2.5 s and 25 s): the oldest value served must be just
 * under deps.ttlMs in each, never over it (a TTL too long, or sliding) nor well under (too short).
 */
export const ttlHonoured: CheckFn = async ({ seed, exports }) => {
  const parts: string[] = [];
  let figure = 1;
  for (const { ttlMs, durationMs } of OTHER_TTLS) {
    const spec = ttlRun(seed, ttlMs, durationMs);
    const run = await ownRun(exports, spec);
    const { report } = run;
    const ttl = `deps.ttlMs = ${n(ttlMs)} ms`;
    if (report.cache.hits === 0) {
      return {
        pass: false,
        measured: `0 hits in ${n(report.requests)} reads`,
        message: `got 0 cache hits in ${n(report.requests)} reads with ${ttl}: every read went to the origin; store the value with deps.cache.set(key, value, deps.ttlMs)`,
        series: report.origin.perSecond,
      };
    }
    const o = report.freshness.oldest;
    const oldest = report.freshness.maxAgeMs;
    const ratio = oldest / ttlMs;
    const measured = `TTL ${n(ttlMs)} ms: oldest served ${ms(oldest)}`;
    if (o !== null && ratio > 1) {
      return {
        pass: false,
        measured,
        message: `with ${ttl}, ${o.instance} served "${o.key}" at ${at(o.at)} when it was ${ms(o.ageMs)} old, want at most ${n(ttlMs)} ms: values outlive deps.ttlMs; store each for deps.ttlMs (not a constant, another unit, or renewed on a hit)`,
        series: report.origin.perSecond,
        figure: ratio,
        bound: 1,
      };
    }
    if (ratio < TTL_FLOOR) {
      return {
        pass: false,
        measured,
        message: `with ${ttl}, the oldest value served was ${ms(oldest)} old, want just under ${n(ttlMs)} ms (at least ${n(TTL_FLOOR * ttlMs)}) with a read every few ms: values expire before deps.ttlMs; store each for deps.ttlMs (not a constant or another unit)`,
        series: report.origin.perSecond,
        figure: ratio,
        bound: TTL_FLOOR,
      };
    }
    const bad = wrongAnswer(run, spec);
    if (bad) return { pass: false, measured: 'a wrong answer', message: bad };
    figure = Math.min(figure, ratio);
    parts.push(`TTL ${ttlMs / 1000} s: oldest ${(oldest / 1000).toFixed(2)} s`);
  }
  return { pass: true, measured: parts.join('; '), figure, bound: TTL_FLOOR };
};

/** The absent key may cost the origin at most this many times the present key's queries. */
export const ABSENT_RATIO = 1.5;

/**
 * A key the origin does not have answers null, and null is a value: cached for the TTL like any
 * other, so the absent key, read as often as the present one, costs the origin about as much.
 */
export const nullCached: CheckFn = async ({ seed, exports }) => {
  const spec = absentKey(seed);
  const run = await ownRun(exports, spec);
  const { report, served, origin } = run;
  const series = report.origin.perSecond;
  const reads = new Map<string, number>();
  for (let i = 0; i < served.n; i++) {
    const key = served.keys[served.key[i]!]!;
    reads.set(key, (reads.get(key) ?? 0) + 1);
  }
  const queries = new Map<string, number>();
  for (const q of origin.log) queries.set(q.key, (queries.get(q.key) ?? 0) + 1);
  const of = (m: Map<string, number>, k: string): number => m.get(k) ?? 0;
  const gone = of(queries, ABSENT_KEY);
  const home = of(queries, PRESENT_KEY);
  const both = `"${PRESENT_KEY}" and "${ABSENT_KEY}"`;
  if (report.cache.hits === 0) {
    return {
      pass: false,
      measured: `0 hits in ${n(report.requests)} reads`,
      message: `got 0 cache hits in ${n(report.requests)} reads of ${both}: every read went to the origin; store every answer, null included, with deps.cache.set(key, value, deps.ttlMs)`,
      series,
    };
  }
  const ratio = gone / Math.max(1, home);
  const measured = `"${ABSENT_KEY}" ${n(gone)} queries in ${n(of(reads, ABSENT_KEY))} reads, "${PRESENT_KEY}" ${n(home)} in ${n(of(reads, PRESENT_KEY))}`;
  if (!(ratio <= ABSENT_RATIO)) {
    return {
      pass: false,
      measured,
      message: `the origin took ${n(gone)} queries for "${ABSENT_KEY}" (it answers null: the key does not exist) in ${n(of(reads, ABSENT_KEY))} reads, want about as many as for "${PRESENT_KEY}" (${n(home)}, as often read): a null is a cached value; store it for deps.ttlMs and test the hit with !== undefined, not for truthiness`,
      series,
      figure: ratio,
      bound: ABSENT_RATIO,
    };
  }
  const bad = wrongAnswer(run, spec);
  if (bad) return { pass: false, measured: 'a wrong answer', message: bad, series };
  return { pass: true, measured, series, figure: ratio, bound: ABSENT_RATIO };
};

/** How far a reported figure is from the harness's, relative to the harness's (0 when they agree). */
const relOff = (got: number, want: number, tolerance = 0): number => (Math.abs(got - want) <= tolerance ? 0 : Number.isFinite(got) ? Math.abs(got - want) / Math.max(1, Math.abs(want)) : Infinity);

/** What a reported p99 that is not the harness's is, where it is a known mistake: the fix. */
function p99Diagnosis(got: number, all: readonly number[], ok: readonly number[]): string {
  const is = (v: number): boolean => Math.abs(got - v) < 0.001;
  if (ok.length < all.length && is(percentile(ok, 99))) return `that is the p99 of the ${n(ok.length)} that succeeded; record every call's latency, failed ones too (in a finally)`;
  const missed = all.filter((v) => v > 0);
  if (is(percentile(missed, 99))) return `that is the p99 of the ${n(missed.length)} that waited (the misses); a hit is a request too: record every call`;
  const strings = [...all].sort();
  if (is(strings[Math.max(1, Math.ceil(0.99 * strings.length)) - 1]!)) return 'that is the p99 of the latencies sorted as strings ("1043" < "205"); use percentile(latencies, 99)';
  return 'time each get() with deps.clock.now() and use percentile(latencies, 99)';
}

/** One run's verdict on each instance's stats(): the first disagreement, and the worst relOff. */
async function statsOf(exports: Exports, spec: ScenarioSpec, fault?: string): Promise<{ failed?: Outcome; figure: number; parts: string[]; p99s: string[]; fails: number }> {
  const run = await ownRun(exports, spec, fault !== undefined);
  const { report, fleet, served } = run;
  const parts: string[] = [];
  const p99s: string[] = [];
  let figure = 0;
  let failed: Outcome | undefined;
  for (const [i, member] of fleet.entries()) {
    const stats = (member.app as NaiveCache).stats?.();
    if (stats === undefined || typeof stats !== 'object') {
      return { failed: { pass: false, measured: '-', message: 'createNaiveCache(deps) must return an object with stats(): { requests, misses, p99Ms }' }, figure: Infinity, parts, p99s, fails: report.failures };
    }
    const all: number[] = [];
    const ok: number[] = [];
    for (let r = 0; r < served.n; r++) {
      if (served.instance[r] !== i) continue;
      all.push(served.latency[r]!);
      if (served.ok[r] === 1) ok.push(served.latency[r]!);
    }
    const want = { requests: all.length, misses: member.cache.stats().misses, p99Ms: percentile(all, 99) };
    const who = `i${i}`;
    const fails = all.length - ok.length;
    const measured = `${who}: ${n(stats.requests)} req, ${n(stats.misses)} misses, p99 ${ms(stats.p99Ms)}${fault ? ` (${n(fails)} failed)` : ''}`;
    const off = Math.max(relOff(stats.requests, want.requests), relOff(stats.misses, want.misses), relOff(stats.p99Ms, want.p99Ms, 0.001));
    figure = Math.max(figure, off);
    parts.push(`${who} ${n(stats.requests)} req, ${n(stats.misses)} misses, p99 ${ms(stats.p99Ms)}`);
    p99s.push(`${Math.round(stats.p99Ms)}`);
    if (failed !== undefined) continue;
    const where = fault ? `, ${fault}` : '';
    if (stats.requests !== want.requests) {
      const shared = stats.requests > want.requests ? ': more than it got; are the counters module-level variables shared by every instance?' : '';
      failed = { pass: false, measured, message: `${who}'s stats() counted ${stats.requests} requests, want ${want.requests} (the harness sent ${who} that many get() calls${where})${shared}` };
    } else if (stats.misses !== want.misses) {
      failed = { pass: false, measured, message: `${who}'s stats() counted ${stats.misses} misses, want ${want.misses} (${who}'s deps.cache counted that many; a cached null is a hit)` };
    } else if (off > 0) {
      const why = p99Diagnosis(stats.p99Ms, all, ok);
      failed = { pass: false, measured, message: `${who}'s stats() says p99 ${+Number(stats.p99Ms).toFixed(3)} ms, want ${want.p99Ms} ms over all ${n(all.length)} calls${fault ? ` (${n(fails)} failed: ${fault})` : ''}: ${why}` };
    }
  }
  if (failed === undefined) {
    const bad = wrongAnswer(run, spec);
    if (bad) failed = { pass: false, measured: 'a wrong answer', message: bad };
  }
  return { failed, figure, parts, p99s, fails: report.failures };
}

/**
 * Two instances side by side, on every path a get() takes (hits, herds, null hits for a key the
 * origin does not have), then again with queries timing out while the origin is slow: each
 * one's stats() must be its own, as the harness counted them, failed calls included.
 */
export const statsAgree: CheckFn = async ({ seed, exports }) => {
  const fault = `the origin was ${STATS_FAULT.factor}x slower ${at(STATS_FAULT.fromMs)}-${at(STATS_FAULT.toMs)}, queries timing out`;
  const runs = [await statsOf(exports, statsPaths(seed))];
  if (runs[0]!.failed === undefined) runs.push(await statsOf(exports, statsFailing(seed), fault));
  const figure = Math.max(...runs.map((r) => r.figure));
  const failed = runs.find((r) => r.failed !== undefined)?.failed;
  if (failed !== undefined) return { ...failed, figure, bound: 0 };
  const [quiet, failing] = runs as [Awaited<ReturnType<typeof statsOf>>, Awaited<ReturnType<typeof statsOf>>];
  return { pass: true, measured: `${quiet.parts.join('; ')}; ${n(failing.fails)} timed out: p99 ${failing.p99s.join('/')} ms`, figure, bound: 0 };
};

const show = (v: number): string => (Number.isFinite(v) ? `${+v.toFixed(2)}` : String(v));

export const prediction: CheckFn = async ({ exports, reference }) => {
  const predict = exports.predictHerd as PredictHerd;
  const naive = await reference('01-stampede');
  const rows: string[] = [];
  // The largest gap, in whole requests, between a prediction rounded up and the herd measured.
  let figure = 0;
  let failed: Outcome | undefined;
  for (const { ratePerSec, rebuildMs } of PREDICTION_GRID) {
    const got = Number(predict({ ratePerSec, rebuildMs }));
    const want = await measuredHerd(naive, ratePerSec, rebuildMs);
    rows.push(`${Number.isFinite(got) ? +got.toFixed(1) : got}/${want}`);
    // Rounded up, the prediction must be the herd: (want - 1, want] and nothing else.
    const off = Number.isFinite(got) ? Math.abs(Math.ceil(got) - want) : Infinity;
    figure = Math.max(figure, off);
    if (failed === undefined && !(got > want - 1 && got <= want)) {
      failed = {
        pass: false,
        measured: `predicted ${show(got)}, measured ${want}`,
        message: `at ${ratePerSec} req/s with a ${rebuildMs} ms rebuild you predicted ${show(got)} origin queries, the herd measured ${want}: want a prediction that rounds up to ${want}`,
      };
    }
  }
  if (failed !== undefined) return { ...failed, figure, bound: 0 };
  return { pass: true, measured: `predicted/measured ${rows.join(' ')}`, figure, bound: 0 };
};
