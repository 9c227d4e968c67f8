/**
 * Hidden checks for module 06 (TTL jitter): jitteredTtl's draws on their own (uniform over
 * ttlMs x (1 ± jitter), whatever the width); and, through the cache, on a catalogue of 2,000
 * keys that a batch job rewrites in one instant three times: the origin's peak per second in
 * every expiry wave against the bound the jitter width sets, the same origin work in total as
 * without jitter, every write's TTL (mean, range, spread) from the log of the writes, request p99
 * during the waves, each batch's rewrites spread afresh (not a draw per batch, not one per key),
 * the single flight kept (no second query for a key while one runs, from the origin's log), an
 * origin outage mid-wave that leaves nothing cached, and randomness from the instance's own
 * deps.rng.
 */
import { VirtualClock, createRng, isHerdError, type Rng, type RunResult } from '@herd/harness/engine';
import { runApp } from '../../src/cache/run-app.js';
import { at, ms, n } from '../../src/check-kit.js';
import type { CheckFn, Exports, Outcome } from '../../src/define.js';
import { jitterApp, WriteLog } from './app.js';
import { batchTtls, correlation, overlappingQueries, ttlStats, waves, type Wave } from './measure.js';
import { CATALOGUE, JITTER, OUTAGE, catalogue, outage, type CatalogueSpec } from './scenarios.js';

/** Each jitteredTtl setting is sampled this often; tolerances are `z` standard errors. */
export const DRAWS = { draws: 20_000, z: 5, ttlMs: 20_000, widths: [0.2, 0.05, 0.5] } as const;

/**
 * The peak bound: N keys written in one instant, their TTLs uniform over a window 2 x j x TTL
 * wide, expire at N / (2 j TTL) a second; a read turns each expiry into one query later, which
 * can only flatten that rate. The bound allows 15% over it for the seeded noise of a second's
 * count (reference: 546 to 593 a second against 625 on seeds 1-8; the nearest mistake, one TTL
 * for the whole batch whose expiry splits across two seconds, 832; a width half as large, 880).
 */
export const PEAK_SLACK = 1.15;
export const expiryRate = (keys: number, jitter: number, ttlMs: number): number => keys / ((2 * jitter * ttlMs) / 1000);
export const PEAK_BOUND = Math.round(PEAK_SLACK * expiryRate(CATALOGUE.keys, JITTER, catalogue(1).ttlMs));

/** Total origin queries within this share of the unjittered run's (reference: 0.6-1.0% fewer). */
export const TOTAL_SHARE = 0.05;
/** Mean TTL of the writes within this share of the nominal TTL (reference: within 0.2%). */
export const MEAN_SHARE = 0.01;
/** The TTLs' spread at least this share of a uniform's over ±j (j TTL / sqrt 3). */
export const SPREAD_SHARE = 0.8;
/** Request p99 during every wave at most this (reference: 60 ms; unjittered: 730 to 832 ms). */
export const WAVE_P99_MS = 150;
/** A key's TTLs in two batches: |correlation| at most this (a fresh draw: about ±0.014). */
export const MAX_CORRELATION = 0.2;

const uniformSd = (ttlMs: number, jitter: number): number => (jitter * ttlMs) / Math.sqrt(3);

interface Catalogued {
  run: RunResult;
  log: WriteLog;
  spec: CatalogueSpec;
}

/** Runs are deterministic per code, scenario and seed: the checks that read one run share it. */
// Keyed by the learner's factory, not the exports object: the headline loads its own copy of the
// same module's exports, and would otherwise run the same catalogue again.
const runs = new WeakMap<object, Map<string, Promise<Catalogued>>>();
function shared(exports: Exports, name: string, make: () => Promise<Catalogued>): Promise<Catalogued> {
  const owner = typeof exports.createJitteredCache === 'function' ? exports.createJitteredCache : exports;
  let byName = runs.get(owner);
  if (byName === undefined) runs.set(owner, (byName = new Map()));
  let p = byName.get(name);
  if (p === undefined) byName.set(name, (p = make()));
  return p;
}

/** The catalogue, three batches, the code's own jitter (or `jitter`); failed requests are the checks' to read. */
export const catalogueRun = (exports: Exports, seed: number, jitter = JITTER): Promise<Catalogued> =>
  shared(exports, `catalogue:${seed}:${jitter}`, async () => {
    const log = new WriteLog();
    const spec = catalogue(seed);
    const run = await runApp((e) => jitterApp(e, { log, jitter }), exports, spec, { allowFailures: true });
    return { run, log, spec };
  });

/** The same catalogue without jitter (the reference at jitter 0): what the origin does with every key in step. */
export const unjitteredRun = async (seed: number, reference: (id: string) => Promise<Exports>): Promise<Catalogued> =>
  catalogueRun(await reference('06-ttl-jitter'), seed, 0);

const s1 = (v: number): string => `${(v / 1000).toFixed(1)} s`;
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** The TTLs never varied: the message every spread-dependent check opens with. */
function sameTtls(log: WriteLog): string | undefined {
  const st = ttlStats(log.ttl);
  if (st.writes > 0 && st.max - st.min < 1) return `all ${n(st.writes)} writes had a TTL of ${ms(st.min)}`;
  return undefined;
}

function requestsFailed(run: RunResult): Outcome | undefined {
  if (run.failure === undefined) return undefined;
  return { pass: false, measured: `${n(run.failure.count)} failed`, message: `${n(run.failure.count)} of ${n(run.report.requests)} requests failed (first: ${run.failure.message}), want 0` };
}

function drawsCheck(seed: number, exports: Exports): Outcome {
  const draw = exports.jitteredTtl as (ttlMs: number, jitter: number, rng: Rng) => unknown;
  const { draws, z, ttlMs: T } = DRAWS;
  // Width 0: no jitter at all, exactly the TTL.
  const zero = draw(T, 0, createRng(seed).fork('ttl:0'));
  if (typeof zero !== 'number' || Math.abs(zero - T) > 1e-6) {
    return { pass: false, measured: `jitter 0: ${String(zero)}`, message: `jitteredTtl(${T}, 0, rng) returned ${String(zero)}, want ${T}: with jitter 0 the TTL is the TTL` };
  }
  let worstZ = 0;
  for (const j of DRAWS.widths) {
    const rng = createRng(seed).fork(`ttl:${j}`);
    const values = new Float64Array(draws);
    for (let i = 0; i < draws; i++) {
      const v = draw(T, j, rng);
      if (typeof v !== 'number' || !Number.isFinite(v)) return { pass: false, measured: `${String(v)}`, message: `jitteredTtl(${T}, ${j}, rng) returned ${String(v)}, want a number of ms` };
      values[i] = v;
    }
    const st = ttlStats(values);
    const lo = T * (1 - j);
    const hi = T * (1 + j);
    const where = `jitteredTtl(${T}, ${j}, rng), ${n(draws)} draws`;
    if (st.max - st.min < 1) {
      return { pass: false, figure: 0, bound: SPREAD_SHARE, measured: `always ${ms(st.min)}`, message: `${where}: every draw returned ${ms(st.min)}, want TTLs spread uniformly over [${lo}, ${hi}] ms: draw from rng on every call` };
    }
    if (st.min < lo - 1e-6 || st.max > hi + 1e-6) {
      return { pass: false, measured: `${ms(st.min)} to ${ms(st.max)}`, message: `${where}: TTLs from ${ms(st.min)} to ${ms(st.max)}, want all within [${lo}, ${hi}] ms: ± jitter x ttlMs around the TTL, no further` };
    }
    const sdWant = uniformSd(T, j);
    const meanSe = sdWant / Math.sqrt(draws);
    const meanZ = Math.abs(st.mean - T) / meanSe;
    worstZ = Math.max(worstZ, meanZ);
    if (meanZ > z) {
      return { pass: false, figure: meanZ, bound: z, measured: `mean ${ms(st.mean)}`, message: `${where}: mean TTL ${ms(st.mean)}, want ${T} ± ${ms(z * meanSe)}: the jitter must be symmetric around the TTL (± j, not + [0, j] on top)` };
    }
    // Quarter of the range each: uniform, not a bell (a sum of draws) or two spikes at the edges.
    const quarters = [0, 0, 0, 0];
    for (const v of values) quarters[Math.min(3, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * 4)))]!++;
    const qSe = Math.sqrt((0.25 * 0.75) / draws);
    for (const [q, c] of quarters.entries()) {
      const share = c / draws;
      const qz = Math.abs(share - 0.25) / qSe;
      worstZ = Math.max(worstZ, qz);
      if (qz > z) {
        return { pass: false, figure: qz, bound: z, measured: `quarter ${q + 1}: ${pct(share)}`, message: `${where}: ${pct(share)} of the TTLs fell in quarter ${q + 1} of [${lo}, ${hi}] ms, want 25% ± ${pct(z * qSe)}: draw uniformly over the whole window (one rng.next() scaled to it)` };
      }
    }
  }
  return { pass: true, figure: worstZ, bound: z, measured: `uniform at ${DRAWS.widths.join(', ')} (${worstZ.toFixed(1)} SE at worst)` };
}

export const checks: Record<string, CheckFn> = {
  async 'jitteredTtl: uniform over ttl x (1 ± j)'({ seed, exports }): Promise<Outcome> {
    // Under a virtual-clock run, so the guard sees a Math.random in the learner's draw.
    const clock = new VirtualClock();
    try {
      return await clock.run(clock.sleep(0).then(() => drawsCheck(seed, exports)));
    } catch (error) {
      if (isHerdError(error) && error.code === 'GLOBAL_TIMER') return { pass: false, measured: 'Math.random', message: `${error.message}: every TTL is drawn from the rng handed in (deps.rng)` };
      throw error;
    }
  },

  async 'expiry waves: peak origin rate'({ seed, exports }): Promise<Outcome> {
    const { run, spec } = await catalogueRun(exports, seed);
    const failed = requestsFailed(run);
    if (failed) return failed;
    const ws = waves(run, spec, JITTER);
    const worst = ws.reduce<Wave | undefined>((w, x) => (w === undefined || x.peak > w.peak ? x : w), undefined)!;
    const measured = `peaks ${ws.map((w) => n(w.peak)).join(', ')}/s`;
    if (worst.peak > PEAK_BOUND) {
      const k = ws.indexOf(worst) + 1;
      return {
        pass: false,
        figure: worst.peak,
        bound: PEAK_BOUND,
        measured,
        series: run.report.origin.perSecond,
        message: `wave ${k} (batch at ${at(worst.batchAt)}): ${n(worst.peak)} origin queries in the second at ${at(worst.peakAt)}, want <= ${n(PEAK_BOUND)} (${n(CATALOGUE.keys)} keys / (2 x ${JITTER} x ${s1(spec.ttlMs)}) + ${Math.round((PEAK_SLACK - 1) * 100)}%): the keys written together expire together; jitter every write's TTL`,
      };
    }
    return { pass: true, figure: worst.peak, bound: PEAK_BOUND, measured, series: run.report.origin.perSecond };
  },

  async 'same origin work in total'({ seed, exports, reference }): Promise<Outcome> {
    const { run, log } = await catalogueRun(exports, seed);
    const failed = requestsFailed(run);
    if (failed) return failed;
    const base = (await unjitteredRun(seed, reference)).run.report.origin.queries;
    const got = run.report.origin.queries;
    const share = got / base - 1;
    const measured = `${n(got)} vs ${n(base)} unjittered (${share >= 0 ? '+' : ''}${pct(share)})`;
    const same = sameTtls(log);
    if (same !== undefined) {
      return { pass: false, measured, message: `${same}: nothing is spread yet, so there is no cost of spreading to measure; jitter every write's TTL, keeping its mean at the TTL` };
    }
    if (Math.abs(share) > TOTAL_SHARE) {
      const why = share > 0 ? 'values lived shorter than the TTL on average: the herd is hidden by refetching more often' : 'values lived longer than the TTL on average: fewer refetches, older values';
      return { pass: false, figure: Math.abs(share), bound: TOTAL_SHARE, measured, message: `${n(got)} origin queries, want ${n(base)} ± ${pct(TOTAL_SHARE)} (the same catalogue without jitter): ${why}; jitter symmetrically around ttlMs` };
    }
    return { pass: true, figure: Math.abs(share), bound: TOTAL_SHARE, measured };
  },

  async 'TTLs: mean, bound and spread'({ seed, exports }): Promise<Outcome> {
    const { run, log, spec } = await catalogueRun(exports, seed);
    const failed = requestsFailed(run);
    if (failed) return failed;
    const T = spec.ttlMs;
    const st = ttlStats(log.ttl);
    const measured = `mean ${ms(st.mean)}, ${ms(st.min)} to ${ms(st.max)}`;
    const same = sameTtls(log);
    if (same !== undefined) {
      return { pass: false, figure: 0, bound: SPREAD_SHARE, measured, message: `${same}, want each uniform over [${T * (1 - JITTER)}, ${T * (1 + JITTER)}] ms: jitter every write, the batch's and the read path's` };
    }
    if (st.min < T * (1 - JITTER) - 1 || st.max > T * (1 + JITTER) + 1) {
      return { pass: false, measured, message: `write TTLs from ${ms(st.min)} to ${ms(st.max)}, want all within ${T} x (1 ± ${JITTER}) = [${T * (1 - JITTER)}, ${T * (1 + JITTER)}] ms: a value must never outlive ttlMs x (1 + jitter)` };
    }
    const meanOff = Math.abs(st.mean / T - 1);
    if (meanOff > MEAN_SHARE) {
      return { pass: false, figure: meanOff, bound: MEAN_SHARE, measured, message: `mean TTL of ${n(st.writes)} writes ${ms(st.mean)}, want ${T} ± ${pct(MEAN_SHARE)}: the jitter must be symmetric around ttlMs` };
    }
    const spreadShare = st.sd / uniformSd(T, JITTER);
    if (spreadShare < SPREAD_SHARE) {
      return { pass: false, figure: spreadShare, bound: SPREAD_SHARE, measured, message: `the TTLs' spread (sd) was ${ms(st.sd)}, want >= ${ms(SPREAD_SHARE * uniformSd(T, JITTER))} (${SPREAD_SHARE} of a uniform over ± ${JITTER}): use the whole window` };
    }
    return { pass: true, figure: meanOff, bound: MEAN_SHARE, measured };
  },

  async 'p99 during the waves'({ seed, exports }): Promise<Outcome> {
    const { run, spec } = await catalogueRun(exports, seed);
    const failed = requestsFailed(run);
    if (failed) return failed;
    const ws = waves(run, spec, JITTER);
    const worst = ws.reduce((w, x) => (x.p99 > w.p99 ? x : w));
    const measured = `p99 ${ws.map((w) => ms(w.p99)).join(', ')}`;
    if (!(worst.p99 <= WAVE_P99_MS)) {
      return { pass: false, figure: worst.p99, bound: WAVE_P99_MS, measured, message: `requests during wave ${ws.indexOf(worst) + 1} (batch at ${at(worst.batchAt)}) had p99 ${ms(worst.p99)}, want <= ${WAVE_P99_MS} ms: the origin's queue overflowed as every key expired at once; jitter the TTLs` };
    }
    return { pass: true, figure: worst.p99, bound: WAVE_P99_MS, measured };
  },

  async 'rewritten keys stay spread'({ seed, exports }): Promise<Outcome> {
    const { run, log, spec } = await catalogueRun(exports, seed);
    const failed = requestsFailed(run);
    if (failed) return failed;
    const batches = spec.catalogue.batchesAtMs.map((a) => batchTtls(log, a));
    const want = SPREAD_SHARE * uniformSd(spec.ttlMs, JITTER);
    let worstSd = Infinity;
    for (const [i, b] of batches.entries()) {
      const st = ttlStats([...b.values()]);
      worstSd = Math.min(worstSd, st.sd);
      if (b.size < CATALOGUE.keys) {
        return { pass: false, measured: `batch ${i + 1}: ${n(b.size)} writes`, message: `the batch at ${at(spec.catalogue.batchesAtMs[i]!)} wrote ${n(b.size)} keys into the cache, want all ${n(CATALOGUE.keys)}: write() must store its value (deps.cache.set)` };
      }
      if (!(st.sd >= want)) {
        const what = st.max - st.min < 1 ? `all ${n(b.size)} of its writes got one TTL, ${ms(st.min)}` : `its TTLs' sd was ${ms(st.sd)}`;
        return {
          pass: false,
          figure: st.sd,
          bound: want,
          measured: `batch ${i + 1}: sd ${ms(st.sd)}`,
          message: `batch ${i + 1} (at ${at(spec.catalogue.batchesAtMs[i]!)}): ${what}, want sd >= ${ms(want)}: a jitter drawn once per batch keeps the batch in step; draw it for every write`,
        };
      }
    }
    // Each key's TTL in one batch against the next: fresh draws are uncorrelated; a draw kept per key repeats.
    let worstRho = 0;
    for (let i = 1; i < batches.length; i++) {
      const a: number[] = [];
      const b: number[] = [];
      for (const [key, ttl] of batches[i - 1]!) {
        const next = batches[i]!.get(key);
        if (next !== undefined) [a.push(ttl), b.push(next)];
      }
      const rho = correlation(a, b);
      if (Math.abs(rho) > Math.abs(worstRho) || Number.isNaN(rho)) worstRho = rho;
      if (!(Math.abs(rho) <= MAX_CORRELATION)) {
        return {
          pass: false,
          figure: Math.abs(rho),
          bound: MAX_CORRELATION,
          measured: `correlation ${rho.toFixed(2)}`,
          message: `a key's TTL in batch ${i + 1} against batch ${i}: correlation ${rho.toFixed(2)} over ${n(a.length)} keys, want |r| <= ${MAX_CORRELATION}: the jitter is kept per key (each key expires at the same offset every time); draw afresh on every write`,
        };
      }
    }
    return { pass: true, figure: Math.abs(worstRho), bound: MAX_CORRELATION, measured: `sd >= ${ms(worstSd)}; r ${worstRho.toFixed(2)}` };
  },

  async 'one origin query per key at a time'({ seed, exports }): Promise<Outcome> {
    const { run, log } = await catalogueRun(exports, seed);
    const failed = requestsFailed(run);
    if (failed) return failed;
    const { count, first } = overlappingQueries(run);
    const measured = `${n(count)} of ${n(run.report.origin.queries)} queries overlapped`;
    const same = sameTtls(log);
    if (same !== undefined) {
      return { pass: false, measured, message: `${same}: every key expires at once, so there are no waves to measure the single flight in yet; jitter every write's TTL` };
    }
    if (count > 0) {
      return {
        pass: false,
        figure: count,
        bound: 0,
        measured,
        message: `${n(count)} origin queries arrived while the same instance's query for the same key was still running (first: ${first!.key} on ${first!.instance} at ${at(first!.t)}), want 0: make one deps.singleFlight() when the cache is created and send every miss through it`,
      };
    }
    return { pass: true, figure: 0, bound: 0, measured };
  },

  async 'origin outage: nothing cached from a failure'({ seed, exports }): Promise<Outcome> {
    // Every answer is audited (a null for a key that exists fails the run); the requests that
    // failed must be the outage's, not later ones.
    const log = new WriteLog();
    const run = await runApp((e) => jitterApp(e, { log }), exports, outage(seed), { allowFailures: true });
    const { served } = run;
    const after = OUTAGE.toMs + OUTAGE.settleMs;
    let late = 0;
    let lateKey = '';
    let total = 0;
    for (let r = 0; r < served.n; r++) {
      if (served.start[r]! < after) continue;
      total++;
      if (served.ok[r] === 0) [late++, (lateKey ||= served.keys[served.key[r]!]!)];
    }
    const measured = `${n(run.report.failures)} failed in the outage, ${n(late)} after`;
    const same = sameTtls(log);
    if (same !== undefined) {
      return { pass: false, measured, message: `${same}: every key expires at ${at(outage(seed).ttlMs)}, after the outage, so no read met it; jitter every write's TTL` };
    }
    if (late > 0) {
      return {
        pass: false,
        figure: late,
        bound: 0,
        measured,
        message: `the origin was down from ${at(OUTAGE.fromMs)} to ${at(OUTAGE.toMs)}; ${n(late)} of the ${n(total)} requests from ${at(after)} on still failed (first: ${lateKey}), want 0: a failed query must leave nothing cached, so the next read asks the origin again`,
      };
    }
    return { pass: true, figure: 0, bound: 0, measured };
  },

  async 'randomness from deps.rng'({ seed, exports }): Promise<Outcome> {
    // One batch, a second of load: two instances with streams of their own, then one stream twice.
    const spec: CatalogueSpec = { ...catalogue(seed, { batchesAtMs: [0], durationMs: 1000, name: 'catalogue, one batch' }), instances: 2 };
    const ttlsOf = async (rngFor?: (instance: string) => Rng): Promise<[Map<string, number>, Map<string, number>]> => {
      const log = new WriteLog();
      await runApp((e) => jitterApp(e, { log, rngFor }), exports, spec, { allowFailures: true });
      return [batchTtls(log, 0, 'i0'), batchTtls(log, 0, 'i1')];
    };
    const equalShare = (a: Map<string, number>, b: Map<string, number>): number => {
      let same = 0;
      for (const [k, v] of a) if (b.get(k) === v) same++;
      return a.size === 0 ? 1 : same / a.size;
    };
    const [own0, own1] = await ttlsOf();
    const apart = equalShare(own0, own1);
    if (apart > 0.01) {
      return {
        pass: false,
        figure: apart,
        bound: 0.01,
        measured: `${pct(apart)} equal`,
        message: `two instances with streams of their own wrote ${pct(apart)} of the keys with the same TTL, want <= 1%: the TTL must come from this instance's deps.rng, not from the key or a stream of your own`,
      };
    }
    const one = (instance: string): Rng => createRng(seed).fork(`shared:${instance === 'i0' ? 'a' : 'a'}`);
    const [same0, same1] = await ttlsOf(one);
    const together = equalShare(same0, same1);
    if (together < 1) {
      return { pass: false, figure: together, bound: 1, measured: `${pct(together)} equal`, message: `two instances handed identical streams wrote only ${pct(together)} of the keys with the same TTL, want 100%: take every draw from deps.rng (the same stream must give the same TTLs)` };
    }
    return { pass: true, figure: apart, bound: 0.01, measured: `${pct(apart)} equal apart, 100% on one stream` };
  },
};

/**
 * This module's reference exports, for the unjittered "before" of the headline and the demo
 * (imported when first asked for: the course list imports this module).
 */
export async function referenceCache(): Promise<Exports> {
  const [{ findModule }, { referenceExports }] = await Promise.all([import('../../src/manifest.js'), import('../../src/load-learner.js')]);
  return referenceExports(findModule('06-ttl-jitter')!);
}
