/**
 * Hidden checks for module 08 (cache warming): the cutover against a cold one on identical load;
 * warming's concurrency at the origin, measured there, under the share of its slots, with the
 * settings changed far from the defaults; live traffic's p99 while warming runs; the gate, held
 * while the new tier's hit rate is short (a slow origin, a stale access log) and opened once it
 * passes, and at its threshold exactly; each logged key warmed once, hottest first, as fast as the
 * share allows; and warming through an origin that fails some of its queries.
 */
import { VirtualClock, createRng, isHerdError, type OriginValue } from '@herd/harness/engine';
import { at, ms, n } from '../../src/check-kit.js';
import type { CheckContext, CheckFn, Exports, Outcome } from '../../src/define.js';
import { describeLearnerError } from '../../src/learner-error.js';
import { POLL_MS, runCutover, type CutoverPlan, type CutoverRun, type GateDeps } from './app.js';
import { failedFrom, firstSecondHitRate, meanAtOnce, mostAtOnce, oldTierMisses, outOfOrder, perSecondFrom, slotsFor, warmQueries } from './measure.js';
import { GraderTier } from './tiers.js';
import { ORIGIN, REWARM_AT_MS, SETTINGS, START_MS, WARM, aloneSpec, cutoverSpec, settingsSpec, slowSpec, staleSpec } from './scenarios.js';
import type { ScenarioSpec } from '@herd/harness/engine';

/** Warmed cutover: origin peak at most this share of the cold cutover's, in the 3 s after it, and no live read failed. */
export const CUTOVER = { peakShare: 0.5, seconds: 3 } as const;
/** Live misses' p99 during warming: at most the run without warming plus this. */
export const P99_MARGIN_MS = 25;
/**
 * The gate must be open by the end of the first `heldMs` in which every look the grader takes
 * (every 100 ms) finds the hit rate on the latest live keys at the threshold or above, plus one
 * check and the time one sample's reads take (200 round trips, read one at a time). A sample of
 * 200 varies by about 0.02, so a single look above the threshold proves little.
 */
export const OPENS = { heldMs: 1000, checks: 1, slackMs: 300 } as const;
/** Warming's mean concurrency at the origin, over its whole span: at least this share of its slots. */
export const BUSY_SHARE = 0.85;
/**
 * The boundary check: each threshold with a sample of its own size (threshold x size a whole
 * number, so a sample can sit exactly on it; sizes other than 200, so a hit rate must be divided
 * by the sample's own length), held for `heldChecks` checks.
 */
export const BOUNDARY = {
  cases: [
    { threshold: WARM.threshold, sample: 200 },
    { threshold: 0.6, sample: 250 },
    { threshold: 0.97, sample: 100 },
  ],
  heldChecks: 10,
  /** The empty-sample case: no live read yet for this long, then a sample the tier holds in full. */
  emptyForMs: 1000,
} as const;
/** One warming query in this many fails (the fault check). */
export const FAIL_EVERY = 10;

/** Live misses' p99 is read from warming's start to the cutover, or to this at most... */
const P99_WINDOW_MS = 8_000;
/** ...when that leaves at least this; else from runs with no cutover, this long. */
const P99_MIN_MS = 3_000;
const SHORT_MS = 6_000;
/** The failing-origin run: long enough for 2 slots to try every key (about 27 s). */
const FAULT_MS = 32_000;
const capacity = ORIGIN.capacity;
const mainSlots = slotsFor(capacity, WARM.warmShare);
const pct = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : 'none');

type Memo = Map<string, Promise<CutoverRun>>;
const memo = new WeakMap<Exports, Memo>();
/** Runs that do not depend on the learner's code (the cold cutover, no warming), shared by every target. */
const shared: Memo = new Map();
const NOTHING: Exports = {};

function cached(exports: Exports, key: string, make: () => Promise<CutoverRun>): Promise<CutoverRun> {
  const m = exports === NOTHING ? shared : (memo.get(exports) ?? memo.set(exports, new Map()).get(exports)!);
  let p = m.get(key);
  if (p === undefined) m.set(key, (p = make()));
  return p;
}
const run = (exports: Exports, spec: ScenarioSpec, plan: CutoverPlan, tag: string): Promise<CutoverRun> =>
  cached(plan.warm || plan.cutover === 'gate' ? exports : NOTHING, `${tag}:${spec.seed}:${JSON.stringify(plan)}`, () => runCutover(exports, spec, plan));

export const mainRun = (exports: Exports, seed: number) => run(exports, cutoverSpec(seed), { warm: true, cutover: 'gate' }, 'main');
const short = (spec: ScenarioSpec): ScenarioSpec => ({ ...spec, durationMs: SHORT_MS });
const warmingOnly = (exports: Exports, seed: number) => run(exports, short(cutoverSpec(seed, 'warming, no cutover')), { warm: true, cutover: 'never' }, 'warming');
const noWarming = (seed: number) => run(NOTHING, short(cutoverSpec(seed, 'no warming')), { warm: false, cutover: 'never' }, 'none');
export const coldRun = (seed: number, cutAt: number) => {
  const spec = cutoverSpec(seed, 'cold cutover');
  return run(NOTHING, { ...spec, durationMs: Math.min(spec.durationMs, Math.ceil(cutAt / 1000) * 1000 + (CUTOVER.seconds + 1) * 1000) }, { warm: false, cutover: cutAt }, 'cold');
};
const slowRun = (exports: Exports, seed: number) => run(exports, slowSpec(seed), { warm: true, cutover: 'gate' }, 'slow');
const staleRun = (exports: Exports, seed: number) =>
  run(exports, staleSpec(seed), { warm: true, cutover: 'gate', log: 'stale', rewarmAtMs: REWARM_AT_MS }, 'stale');
const faultRun = (exports: Exports, seed: number) =>
  run(exports, aloneSpec(seed, 'warming alone, origin fails 1 in 10', capacity, FAULT_MS), { warm: true, cutover: 'never', failWarm: (k) => k % FAIL_EVERY === 3 }, 'fault');
/** The 48-slot run warms twice back to back (today's log, then yesterday's): the second call must share nothing with the first. */
const settingsRun = (exports: Exports, seed: number, s: (typeof SETTINGS)[number]) =>
  run(exports, settingsSpec(seed, s.capacity), { warm: true, cutover: 'never', warmShare: s.warmShare, ...(s.capacity > capacity ? { thenWarm: 'stale' as const } : {}) }, `settings${s.capacity}`);

/** The learner's warmTier or cutoverGate rejected: one line naming it. */
function rejected(r: CutoverRun, ctx: CheckContext, which: 'warm' | 'gate' | 'both' = 'both'): string | undefined {
  const w = r.warms.find((x) => x.error !== undefined);
  if (w !== undefined && which !== 'gate') return `${r.spec.name}: warmTier (started ${at(w.start)}) rejected at ${at(w.end!)}: ${describeLearnerError(w.error, ctx.file)}; want it to resolve once every key is tried (a failed fetch skips its key)`;
  if (r.gateError !== undefined && which !== 'warm') return `${r.spec.name}: cutoverGate rejected: ${describeLearnerError(r.gateError, ctx.file)}`;
  return undefined;
}

const fail = (message: string, measured: string, extra: Partial<Outcome> = {}): Outcome => ({ pass: false, measured, message, ...extra });

/**
 * A timer or clock read of learner code outside deps.clock, met in any run a check makes, fails
 * that check with the guard's line (the file, the line, the fix), not as a crash.
 */
const guarded = (all: Record<string, CheckFn>): Record<string, CheckFn> =>
  Object.fromEntries(
    Object.entries(all).map(([name, fn]) => [
      name,
      async (ctx: CheckContext): Promise<Outcome> => {
        try {
          return await fn(ctx);
        } catch (error) {
          if (isHerdError(error, 'GLOBAL_TIMER')) return fail(error.message, 'a global timer');
          throw error;
        }
      },
    ]),
  );

export const checks: Record<string, CheckFn> = guarded({
  async 'cutover: origin peak and errors vs cold'(ctx) {
    const warmed = await mainRun(ctx.exports, ctx.seed);
    const bad = rejected(warmed, ctx, 'gate');
    if (bad !== undefined) return fail(bad, 'rejected');
    if (warmed.cutAt === undefined) {
      return fail(`the gate never opened in ${warmed.spec.durationMs / 1000} s (the hit rate on the latest live keys reached ${pct(Math.max(...warmed.polls.map((p) => p.rate)))}), want a cutover once it passes ${WARM.threshold}`, 'no cutover');
    }
    const cold = await coldRun(ctx.seed, warmed.cutAt);
    const peak = Math.max(...perSecondFrom(warmed, warmed.cutAt, CUTOVER.seconds));
    const coldPeak = Math.max(...perSecondFrom(cold, warmed.cutAt, CUTOVER.seconds));
    const failed = failedFrom(warmed, warmed.cutAt);
    const coldFailed = failedFrom(cold, warmed.cutAt);
    const share = peak / coldPeak;
    const measured = `peak ${n(peak)}/s vs cold ${n(coldPeak)}/s; ${n(failed)} vs ${n(coldFailed)} failed`;
    const out = { figure: share, bound: CUTOVER.peakShare, series: perSecondFrom(warmed, 0, Math.ceil(warmed.spec.durationMs / 1000)) };
    if (share > CUTOVER.peakShare || failed > 0) {
      return fail(
        `the cutover at ${at(warmed.cutAt)} met a new tier with hit rate ${pct(firstSecondHitRate(warmed))}: origin peak ${n(peak)}/s, ${n(failed)} live reads failed; a cold cutover: ${n(coldPeak)}/s, ${n(coldFailed)} failed; want <= ${CUTOVER.peakShare * 100}% of its peak and 0 failed: warm the new tier, hold the cutover`,
        measured,
        out,
      );
    }
    return { pass: true, measured, ...out };
  },

  async 'warming: at most floor(share x capacity) at the origin'(ctx) {
    const cases: Array<{ r: CutoverRun; slots: number; what: string; floor: number }> = [
      { r: await mainRun(ctx.exports, ctx.seed), slots: mainSlots, what: `${capacity} x ${WARM.warmShare}`, floor: Math.floor(capacity * WARM.warmShare) },
    ];
    for (const s of SETTINGS) cases.push({ r: await settingsRun(ctx.exports, ctx.seed, s), slots: s.slots, what: `${s.capacity} x ${s.warmShare}`, floor: Math.floor(s.capacity * s.warmShare) });
    const got: string[] = [];
    let worst = 0;
    for (const { r, slots, what, floor } of cases) {
      const q = warmQueries(r);
      const most = mostAtOnce(q);
      got.push(`${most.count}/${slots}`);
      worst = Math.max(worst, most.count / slots);
      const bad = rejected(r, ctx, 'warm');
      if (q.length === 0 && bad !== undefined) return fail(floor === 0 ? `${bad}; floor(${what}) is 0, and the limit is at least 1` : bad, got.join(', '), { figure: 0, bound: 1 });
      if (q.length === 0) {
        const w = r.warms[0];
        const again = w !== undefined && w.nth > 1 ? ` (warmTier's call ${w.nth} in this process: keep no limiter or queue between calls, one pLimit per call)` : '';
        return fail(`${r.spec.name}: warming sent the origin 0 queries in ${n(r.spec.durationMs / 1000)} s${again}, want every key of the access log fetched, at most ${slots} at once (floor(${what}))`, 'no warming', { figure: 0, bound: 1 });
      }
      if (most.count > slots) {
        return fail(
          `${r.spec.name}: ${n(most.count)} warming queries were at the origin at once (${at(most.at)}), want at most ${slots}, floor(${what}): run each fetch through pLimit(slots)`,
          got.join(', '),
          { figure: most.count / slots, bound: 1 },
        );
      }
      if (bad !== undefined) return fail(bad, got.join(', '));
    }
    return { pass: true, measured: `at most ${got.join(', ')} slots`, figure: worst, bound: 1 };
  },

  async 'live p99 during warming'(ctx) {
    // The main run before its cutover, against the cold run before the same instant: the same
    // load, the same old tier, with and without warming. A gate that opens within 3 s of the
    // start leaves too little of that: then warming runs alone, with no cutover, for 5 s.
    const main = await mainRun(ctx.exports, ctx.seed);
    const early = main.cutAt !== undefined && main.cutAt < START_MS + P99_MIN_MS;
    const r = early ? await warmingOnly(ctx.exports, ctx.seed) : main;
    const to = early ? SHORT_MS : Math.min(main.cutAt ?? main.spec.durationMs, P99_WINDOW_MS);
    const base = early ? await noWarming(ctx.seed) : await coldRun(ctx.seed, main.cutAt ?? main.spec.durationMs);
    // Worst second: a burst of warming queries shows in the seconds it lasts, not in a whole run's p99.
    const live = worstSecond(r, START_MS, to);
    const without = worstSecond(base, START_MS, to);
    const measured = `p99 ${ms(live.p99)} vs ${ms(without.p99)} without`;
    const out = { figure: live.p99 - without.p99, bound: P99_MARGIN_MS };
    if (live.failed > 0 || live.p99 > without.p99 + P99_MARGIN_MS) {
      return fail(
        `live reads that missed the old tier while warming ran: p99 ${ms(live.p99)} in the worst second (${at(live.at)}), ${n(live.failed)} of ${n(live.count)} failed; without warming ${ms(without.p99)}; want <= ${ms(without.p99 + P99_MARGIN_MS)}, none failed: warming must leave live traffic its slots`,
        measured,
        out,
      );
    }
    return { pass: true, measured, ...out };
  },

  async 'gate: holds while short, opens once it passes'(ctx) {
    // One night at a time: a gate that fails the first is not run through the others.
    const nights = [mainRun, slowRun, staleRun];
    const got: string[] = [];
    let lowest = Infinity;
    for (const night of nights) {
      const r = await night(ctx.exports, ctx.seed);
      const bad = rejected(r, ctx, 'gate');
      if (bad !== undefined) return fail(bad, got.join(', ') || 'rejected');
      const threshold = WARM.threshold;
      const passed = r.polls.find((p, i) => {
        const window = r.polls.slice(i).filter((q) => q.t <= p.t + OPENS.heldMs);
        return window.length > OPENS.heldMs / POLL_MS && window.every((q) => q.rate >= threshold);
      });
      const limit = passed === undefined ? undefined : passed.t + OPENS.heldMs + OPENS.checks * WARM.checkEveryMs + OPENS.slackMs;
      if (r.cutAt !== undefined) {
        const rate = r.rateAtOpen ?? 0;
        lowest = Math.min(lowest, rate);
        if (r.rateAtOpen === undefined || rate < threshold) {
          const sample = r.rateAtOpen === undefined ? 'without a shadow sample' : `when the last shadow sample it took hit ${pct(rate)} of the time`;
          return fail(
            `${r.spec.name}: the gate opened at ${at(r.cutAt)} ${sample}, want >= ${threshold} on one sample: read the sample's keys in the new tier (deps.tier.get) and wait while short`,
            `opened at ${pct(rate)}`,
            { figure: rate, bound: threshold },
          );
        }
      }
      if (limit !== undefined && (r.cutAt === undefined || r.cutAt > limit)) {
        return fail(
          `${r.spec.name}: the new tier hit >= ${threshold} of the latest live keys from ${at(passed!.t)} for ${OPENS.heldMs / 1000} s, but the gate was ${r.cutAt === undefined ? 'still closed at the end' : `closed until ${at(r.cutAt)}`}; want open by ${at(limit)} (a sample every ${WARM.checkEveryMs} ms)`,
          r.cutAt === undefined ? 'never opened' : `late by ${ms(r.cutAt - limit)}`,
          { figure: (r.cutAt ?? Infinity) - passed!.t, bound: limit - passed!.t },
        );
      }
      if (r.cutAt === undefined) {
        return fail(`${r.spec.name}: the gate never opened, and the hit rate never held ${threshold} for ${OPENS.heldMs / 1000} s (best ${pct(Math.max(...r.polls.map((p) => p.rate)))}): is every logged key warmed, with deps.ttlMs?`, 'never opened');
      }
      got.push(`${at(r.cutAt)} at ${pct(r.rateAtOpen!)}`);
    }
    return { pass: true, measured: got.join(', '), figure: lowest, bound: WARM.threshold };
  },

  async 'gate: at the threshold exactly, through deps'(ctx) {
    const results: string[] = [];
    for (const { threshold, sample } of BOUNDARY.cases) {
      const need = Math.ceil(threshold * sample - 1e-9);
      const of = `${sample === 200 ? '' : ` and a sample of ${sample} keys`}`;
      for (const present of [need - 1, need]) {
        const g = await gateAlone(ctx.exports, threshold, sample, present);
        if (g.error !== undefined) return fail(`cutoverGate rejected with threshold ${threshold}: ${describeLearnerError(g.error, ctx.file)}`, 'rejected');
        const rate = present / sample;
        const partial = g.samples > 0 && g.reads / g.samples < sample ? `; it read ${n(Math.round(g.reads / g.samples))} of each sample's ${sample} keys, want all of them` : '';
        if (present < need && g.openedAt !== undefined) {
          return fail(
            `with deps.threshold ${threshold}${of}, the gate opened at ${at(g.openedAt)} on samples hitting ${rate.toFixed(3)} (${present} of ${sample}), want it held below the threshold${partial}`,
            `opened at ${rate.toFixed(3)}`,
          );
        }
        if (present >= need && (g.openedAt === undefined || g.openedAt > WARM.checkEveryMs + OPENS.slackMs)) {
          return fail(
            `with deps.threshold ${threshold}${of}, samples hitting exactly ${rate.toFixed(3)} (${present} of ${sample}) ${g.openedAt === undefined ? `never opened the gate in ${BOUNDARY.heldChecks} checks` : `opened it only at ${at(g.openedAt)}`}; want open within one check: the hit rate is hits / the sample's length, and must be >= deps.threshold, not >${partial}`,
            `held at ${rate.toFixed(3)}`,
          );
        }
        // A fresh sample at least every other check (a sample read key by key takes 200 round trips).
        if (present < need && g.samples < BOUNDARY.heldChecks / 2) {
          return fail(`with deps.threshold ${threshold}, the gate took ${g.samples} shadow samples in ${BOUNDARY.heldChecks} checks of ${WARM.checkEveryMs} ms, want a fresh sample every check`, `${g.samples} samples`);
        }
        if (g.samplesPerCheck > 1.5 || g.readsPerCheck > 1.5 * sample) {
          return fail(
            `with deps.threshold ${threshold}, the gate took ${g.samples} samples and ${n(g.reads)} shadow reads in ${BOUNDARY.heldChecks} checks of ${WARM.checkEveryMs} ms, want one sample of ${sample} reads per check: sleep deps.checkEveryMs between samples`,
            `${g.samples} samples`,
          );
        }
      }
      results.push(`${threshold}`);
    }
    // No live read yet: an empty sample says nothing about the tier, so the gate waits.
    const quiet = await gateAlone(ctx.exports, WARM.threshold, BOUNDARY.cases[0].sample, BOUNDARY.cases[0].sample, BOUNDARY.emptyForMs);
    if (quiet.error !== undefined) return fail(`cutoverGate rejected on an empty shadow sample: ${describeLearnerError(quiet.error, ctx.file)}`, 'rejected');
    if (quiet.openedAt !== undefined && quiet.openedAt < BOUNDARY.emptyForMs) {
      return fail(`with no live read yet (an empty shadow sample until ${at(BOUNDARY.emptyForMs)}), the gate opened at ${at(quiet.openedAt)}, want it held until a sample shows the hit rate: an empty sample is no evidence`, 'opened on empty');
    }
    if (quiet.openedAt === undefined || quiet.openedAt > BOUNDARY.emptyForMs + WARM.checkEveryMs + OPENS.slackMs) {
      return fail(`after an empty shadow sample until ${at(BOUNDARY.emptyForMs)}, samples the new tier holds in full ${quiet.openedAt === undefined ? 'never opened the gate' : `opened it only at ${at(quiet.openedAt)}`}, want open within one check of the first non-empty sample`, 'held after empty');
    }
    return { pass: true, measured: `opens at ${results.join(', ')} exactly, held 1 below; waits out an empty sample` };
  },

  async 'warming: each logged key once, hottest first'(ctx) {
    // On the roomier origin (4 slots), where warming finishes inside the run.
    const wide = SETTINGS[0];
    const r = await settingsRun(ctx.exports, ctx.seed, wide);
    const q = warmQueries(r);
    const keys = r.logKeys.size;
    const distinct = new Set(q.map((x) => x.key)).size;
    const measured = `${n(q.length)} queries, ${n(distinct)} of ${n(keys)} keys`;
    if (q.length > distinct) {
      return fail(`warming sent ${n(q.length)} queries for ${n(distinct)} ${distinct === 1 ? 'key' : 'keys'}, want each of the log's ${n(keys)} keys fetched once: count the log, do not replay it`, measured, { figure: q.length / keys, bound: 1 });
    }
    const notLogged = q.find((x) => !r.logKeys.has(x.key));
    if (notLogged !== undefined) return fail(`warming fetched "${notLogged.key}", which the access log never read, want only the log's keys`, measured);
    const ended = r.warms[0]?.end !== undefined;
    if (ended && distinct < keys) return fail(`${r.spec.name}: warming fetched ${n(distinct)} of the log's ${n(keys)} keys and resolved, want every one (hottest first)`, measured, { figure: distinct / keys, bound: 1 });
    if (!ended && r.warms[0]?.error === undefined) return fail(`${r.spec.name}: warming was still running at the end (${n(distinct)} of ${n(keys)} keys fetched), want it done in about ${n(Math.ceil((keys * 25) / wide.slots / 1000))} s`, measured);
    const order = outOfOrder(q, r.logKeys, 2 * wide.slots);
    if (order.count > 0) {
      const f = order.first!;
      return fail(
        `warming fetched "${f.key}" (${f.reads} reads in the log) before "${f.later}" (${f.laterReads}); ${n(order.count)} queries out of order, want the most-read keys first`,
        `${n(order.count)} out of order`,
        { figure: order.count, bound: 0 },
      );
    }
    const bad = rejected(r, ctx);
    if (bad !== undefined) return fail(bad, measured);
    if (r.neu.badWrites.length > 0) {
      const w = r.neu.badWrites[0]!;
      return fail(`warming wrote ${w.what} under "${w.key}" at ${at(w.at)}, want the key's own value from deps.origin, with deps.ttlMs`, measured);
    }
    // The same again, back to back, from yesterday's log: a second call ranks its own log only.
    const second = r.warms[1];
    if (second === undefined) return fail(`${r.spec.name}: the second warmTier (from another log, started when the first resolved) never started`, measured);
    const q2 = warmQueries(r, second.instance);
    const log2 = new Map<string, number>();
    for (const k of second.log) log2.set(k, (log2.get(k) ?? 0) + 1);
    const stray = q2.find((x) => !log2.has(x.key));
    if (stray !== undefined) {
      const strays = new Set(q2.filter((x) => !log2.has(x.key)).map((x) => x.key)).size;
      return fail(
        `${r.spec.name}: the second warmTier, from another log, fetched "${stray.key}" and ${n(strays - 1)} more keys its log never read (the first call's), want only its own log's keys: keep no counts between calls`,
        `${n(strays)} stray keys`,
        { figure: strays, bound: 0 },
      );
    }
    const distinct2 = new Set(q2.map((x) => x.key)).size;
    if (q2.length > distinct2) return fail(`${r.spec.name}: the second warmTier sent ${n(q2.length)} queries for ${n(distinct2)} keys, want each key once`, measured);
    const order2 = outOfOrder(q2, log2, 2 * wide.slots);
    if (order2.count > 0) {
      const f = order2.first!;
      return fail(`${r.spec.name}: the second warmTier fetched "${f.key}" (${f.reads} reads in its log) before "${f.later}" (${f.laterReads}), want its own log's most-read keys first`, `${n(order2.count)} out of order`, { figure: order2.count, bound: 0 });
    }
    return { pass: true, measured: `${n(keys)} keys once each, by reads; twice`, figure: 0, bound: 0 };
  },

  async 'time to warm vs origin capacity'(ctx) {
    const cases: Array<{ r: CutoverRun; slots: number }> = [{ r: await mainRun(ctx.exports, ctx.seed), slots: mainSlots }];
    for (const s of SETTINGS) cases.push({ r: await settingsRun(ctx.exports, ctx.seed, s), slots: s.slots });
    const got: string[] = [];
    let worst = Infinity;
    for (const { r, slots } of cases) {
      const bad = rejected(r, ctx);
      if (bad !== undefined) return fail(bad, got.join(', ') || 'rejected');
      const q = warmQueries(r);
      const w = r.warms[0];
      if (w === undefined || q.length === 0) return fail(`${r.spec.name}: warming sent the origin no query`, 'no warming');
      const until = w.end ?? r.spec.durationMs;
      const busy = meanAtOnce(q, until);
      worst = Math.min(worst, busy / slots);
      if (w.end !== undefined && r.neu.shortestTtlMs < r.spec.ttlMs) {
        return fail(`${r.spec.name}: warming stored values for ${ms(r.neu.shortestTtlMs)}, want deps.ttlMs (${n(r.spec.ttlMs)} ms)`, 'ttl');
      }
      // Counted the instant warmTier resolved: a write still in flight then is not warmed yet.
      const unstored = w.unstored ?? { count: 0 };
      if (w.end !== undefined && unstored.count > 0) {
        return fail(`${r.spec.name}: warmTier resolved at ${at(w.end)} with ${n(unstored.count)} fetched ${unstored.count === 1 ? 'key' : 'keys'} not yet in the new tier (first "${unstored.first}"), want each stored (await tier.set) before it resolves, with deps.ttlMs`, 'not stored');
      }
      const work = q.reduce((s, x) => s + (x.durationMs >= 0 ? x.durationMs : 0), 0);
      got.push(`${(busy).toFixed(1)}/${slots}`);
      if (busy < BUSY_SHARE * slots) {
        const span = until - q[0]!.t;
        return fail(
          `${r.spec.name}: warming ${w.end === undefined ? 'was still running' : 'took'} ${(span / 1000).toFixed(1)} s for ${(work / 1000).toFixed(1)} s of queries: ${busy.toFixed(2)} at once on average, want >= ${(BUSY_SHARE * slots).toFixed(2)} of its ${slots} slots (<= ${((work / (BUSY_SHARE * slots)) / 1000).toFixed(1)} s)`,
          got.join(', '),
          { figure: busy / slots, bound: BUSY_SHARE },
        );
      }
    }
    const wide = cases[1]!.r;
    const t = ((wide.warms[0]!.end ?? NaN) - wide.warms[0]!.start) / 1000;
    return { pass: true, measured: `${got.join(', ')} busy; ${t.toFixed(1)} s at 4`, figure: worst, bound: BUSY_SHARE };
  },

  async 'origin fails during warming'(ctx) {
    const r = await faultRun(ctx.exports, ctx.seed);
    const bad = rejected(r, ctx);
    if (bad !== undefined) return fail(bad, 'rejected');
    const q = warmQueries(r);
    const most = mostAtOnce(q);
    if (most.count > mainSlots) return fail(`with failing queries, ${most.count} warming queries were at the origin at once (${at(most.at)}), want at most ${mainSlots}: a failed fetch must free its slot`, `${most.count} at once`);
    if (r.neu.badWrites.length > 0) {
      const w = r.neu.badWrites[0]!;
      return fail(`a failed warming query left ${w.what} under "${w.key}" at ${at(w.at)}, want the key left out of the new tier`, 'bad write');
    }
    const failed = q.filter((x) => x.outcome !== 'ok' && x.outcome !== 'running').length;
    const ok = q.filter((x) => x.outcome === 'ok');
    const w = r.warms[0];
    // Resolved means done: no query of this call may start after it.
    const late = w?.end === undefined ? [] : q.filter((x) => x.t > w.end!);
    if (late.length > 0) {
      return fail(
        `warmTier resolved at ${at(w!.end!)}, after ${n(failed)} failed queries, but ${n(late.length)} of its queries started later (the last at ${at(late[late.length - 1]!.t)}), want it to resolve once every key was tried: catch each fetch's failure, not the whole warm's`,
        `${n(late.length)} after it resolved`,
      );
    }
    if (w !== undefined && w.end === undefined) return fail(`warming was still running at the end (${n(r.spec.durationMs / 1000)} s, ${n(q.length)} queries, ${n(failed)} failed), want every key tried in about ${n(Math.ceil((r.logKeys.size * 25) / mainSlots / 1000))} s`, measured0(failed, ok.length));
    const missing = ok.filter((x) => !r.neu.has(x.key));
    const measured = measured0(failed, ok.length);
    if (failed === 0) return fail(`warming made ${n(q.length)} queries and none failed, want about 1 in ${FAIL_EVERY} to (grader)`, measured);
    if (w?.end !== undefined && missing.length > 0) return fail(`after ${n(failed)} failed warming queries, ${n(missing.length)} keys whose fetch succeeded were not stored (first "${missing[0]!.key}"), want every other key warmed`, measured);
    // Warming keeps going past a failure: queries long after the first failed one.
    const firstFail = q.find((x) => x.outcome !== 'ok');
    const after = q.filter((x) => firstFail !== undefined && x.t > firstFail.t + firstFail.durationMs).length;
    if (after === 0) return fail(`warming stopped at its first failed query (${at(firstFail!.t)}), want the rest of the log still warmed`, measured);
    const tried = new Set(q.map((x) => x.key)).size;
    if (tried < r.logKeys.size) return fail(`warmTier resolved at ${at(w!.end!)} having tried ${n(tried)} of the log's ${n(r.logKeys.size)} keys, want every key tried once (a failed fetch skips only its own key)`, measured);
    return { pass: true, measured };
  },
});

const measured0 = (failed: number, stored: number): string => `${n(failed)} failed, ${n(stored)} stored`;

/** The worst second's p99 of live reads that missed the old tier in [from, to), and the run's failed ones. */
function worstSecond(r: CutoverRun, from: number, to: number): { p99: number; at: number; failed: number; count: number } {
  const all = oldTierMisses(r, from, to);
  let worst = { p99: 0, at: from };
  for (let t = from; t < to; t += 1000) {
    const s = oldTierMisses(r, t, t + 1000);
    if (s.count > 0 && s.p99 > worst.p99) worst = { p99: s.p99, at: t };
  }
  return { ...worst, failed: all.failed, count: all.count };
}

/**
 * The gate on its own, on a clock of its own: a tier holding `present` of a fixed sample's keys
 * (which ones seeded, spread over the sample), for BOUNDARY.heldChecks checks.
 */
async function gateAlone(
  exports: Exports,
  threshold: number,
  size: number,
  present: number,
  emptyForMs = 0,
): Promise<{ openedAt?: number; error?: unknown; samples: number; reads: number; samplesPerCheck: number; readsPerCheck: number }> {
  const gate = exports.cutoverGate as (deps: GateDeps) => Promise<void>;
  const clock = new VirtualClock();
  const tier = new GraderTier(clock);
  const keys = Array.from({ length: size }, (_, i) => `k${i}`);
  // Short of the threshold, the missing keys are the sample's last: a gate that reads only part
  // of each sample sees a full tier and opens. At it, which keys are missing is seeded.
  let held = keys.slice(0, present);
  if (present >= Math.ceil(threshold * size - 1e-9)) {
    const order = [...keys];
    const rng = createRng(present * 31 + 7);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    held = order.slice(0, present);
  }
  for (const k of held) tier.put(k, { key: k, version: 1, builtAt: 0, by: 'grader' } satisfies OriginValue, 1e9);
  const out: { openedAt?: number; error?: unknown; samples: number; reads: number } = { samples: 0, reads: 0 };
  const deps: GateDeps = Object.freeze({
    clock,
    tier: Object.freeze({
      get: (k: string) => {
        out.reads++;
        return tier.get(k);
      },
    }),
    shadowSample: () => {
      if (clock.now() < emptyForMs) return Object.freeze([]);
      out.samples++;
      return Object.freeze([...keys]);
    },
    threshold,
    checkEveryMs: WARM.checkEveryMs,
  });
  const horizon = emptyForMs + BOUNDARY.heldChecks * WARM.checkEveryMs;
  const opened = clock
    .within(() => Promise.resolve().then(() => gate(deps)))
    .then(
      () => void (out.openedAt = clock.now()),
      (e: unknown) => void (out.error = e),
    );
  await clock.run(Promise.race([opened, clock.sleep(horizon)]), { deadline: horizon + 1000 });
  const checksSoFar = Math.floor(((out.openedAt ?? horizon) - emptyForMs) / WARM.checkEveryMs) + 1;
  return { ...out, samplesPerCheck: out.samples / checksSoFar, readsPerCheck: out.reads / checksSoFar };
}
