/**
 * Hidden checks for module 01 (stampede): the naive cache reproduces the herd at every TTL
 * boundary, its own instrumentation agrees with the harness for each instance, and the learner
 * can predict a herd's size.
 */
import { percentile, type AppFactory, type ReadThrough, type ScenarioSpec } from '@herd/harness/engine';
import { auditBoundaries, auditFreshness } from '../../src/cache/audit.js';
import { runApp } from '../../src/cache/run-app.js';
import { at, ms, n, range } from '../../src/check-kit.js';
import type { AppBuilder, CheckFn, Exports } from '../../src/define.js';
import { hotKey } from '../../src/scenarios.js';

interface NaiveCache extends ReadThrough {
  stats?(): { requests: number; misses: number; p99Ms: number };
}
type PredictHerd = (input: { ratePerSec: number; rebuildMs: number }) => number;

export const app: AppBuilder = async (exports) => ({ factory: exports.createNaiveCache as AppFactory });

/**
 * Rates and rebuild times at which no arrival coincides with the moment a rebuild lands, so the
 * herd is exactly the arrivals inside one rebuild: ratePerSec x rebuildMs / 1000, rounded up.
 */
export const PREDICTION_GRID = [
  { ratePerSec: 50, rebuildMs: 110 },
  { ratePerSec: 50, rebuildMs: 330 },
  { ratePerSec: 200, rebuildMs: 107 },
  { ratePerSec: 200, rebuildMs: 307 },
  { ratePerSec: 500, rebuildMs: 101 },
  { ratePerSec: 500, rebuildMs: 303 },
] as const;

/**
 * Steady arrivals at `ratePerSec`, a rebuild of exactly `rebuildMs` (no jitter, no queueing):
 * the setting in which a herd's size can be predicted from first principles.
 */
export function steadyArrivals(ratePerSec: number, rebuildMs: number, seed = 1): ScenarioSpec {
  return {
    name: `steady ${ratePerSec}/s, rebuild ${rebuildMs} ms`,
    seed,
    durationMs: 7_000,
    ttlMs: 3_000,
    origin: { latencyMs: rebuildMs },
    keys: { kind: 'hot', key: 'home' },
    load: { kind: 'open', ratePerSec, arrivals: 'fixed', startMs: 0.5 },
  };
}

/** Origin queries at the first TTL boundary after the cold start, with the reference naive cache. */
export async function measuredHerd(reference: Exports, ratePerSec: number, rebuildMs: number): Promise<number> {
  const { report } = await runApp(app, reference, steadyArrivals(ratePerSec, rebuildMs));
  const boundary = report.boundaries[1] ?? report.boundaries[0];
  return boundary?.queries ?? 0;
}

export const herdReproduced: CheckFn = async ({ seed, exports }) => {
  const spec = hotKey(seed);
  const { report } = await runApp(app, exports, spec);
  const series = report.origin.perSecond;
  const fail = (measured: string, message: string) => ({ pass: false, measured, message, series });
  if (report.cache.misses === 0) {
    return fail(
      `${n(report.origin.queries)} queries, 0 misses`,
      `deps.cache never missed but the origin took ${n(report.origin.queries)} queries: get() does not read deps.cache (no cache misses recorded); look there first with deps.cache.get(key)`,
    );
  }
  const off = auditBoundaries(report, spec) ?? auditFreshness(report, spec);
  if (off) return fail(`${report.boundaries.length} boundaries`, off);
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
  return { pass: true, measured: `${report.boundaries.length} boundaries, herd ${range(herds)} = misses`, series };
};

/** Two instances in one run: each one's stats() must be its own, as the harness counted them. */
export const statsAgree: CheckFn = async ({ seed, exports }) => {
  const { report, fleet, served } = await runApp(app, exports, hotKey(seed, 2));
  const parts: string[] = [];
  for (const [i, member] of fleet.entries()) {
    const stats = (member.app as NaiveCache).stats?.();
    if (stats === undefined || typeof stats !== 'object') {
      return { pass: false, measured: '-', message: 'createNaiveCache(deps) must return an object with stats(): { requests, misses, p99Ms }' };
    }
    const latencies: number[] = [];
    for (let r = 0; r < served.n; r++) if (served.instance[r] === i) latencies.push(served.latency[r]!);
    const want = { requests: latencies.length, misses: member.cache.stats().misses, p99Ms: percentile(latencies, 99) };
    const who = `i${i}`;
    const measured = `${who}: ${n(stats.requests)} req, ${n(stats.misses)} misses, p99 ${ms(stats.p99Ms)}`;
    const shared = stats.requests === report.requests ? ' (the whole fleet\'s count: are the counters module-level variables shared by every instance?)' : '';
    if (stats.requests !== want.requests) {
      return { pass: false, measured, message: `${who}'s stats() counted ${stats.requests} requests, want ${want.requests} (the harness sent ${who} that many get() calls)${shared}` };
    }
    if (stats.misses !== want.misses) {
      return { pass: false, measured, message: `${who}'s stats() counted ${stats.misses} misses, want ${want.misses} (${who}'s deps.cache counted that many)` };
    }
    if (!(Math.abs(stats.p99Ms - want.p99Ms) < 0.001)) {
      return {
        pass: false,
        measured,
        message: `${who}'s stats() says p99 ${stats.p99Ms} ms, want ${want.p99Ms} ms: time each get() with deps.clock.now() and use percentile(latencies, 99)`,
      };
    }
    parts.push(`${n(stats.requests)} req, ${n(stats.misses)} misses, p99 ${ms(stats.p99Ms)}`);
  }
  return { pass: true, measured: `i0 ${parts[0]}; i1 ${parts[1]}` };
};

export const prediction: CheckFn = async ({ exports, reference }) => {
  const predict = exports.predictHerd as PredictHerd;
  const naive = await reference('01-stampede');
  const rows: string[] = [];
  for (const { ratePerSec, rebuildMs } of PREDICTION_GRID) {
    const got = Number(predict({ ratePerSec, rebuildMs }));
    const want = await measuredHerd(naive, ratePerSec, rebuildMs);
    rows.push(`${Number.isFinite(got) ? +got.toFixed(1) : got}/${want}`);
    // Rounded up, the prediction must be the herd: (want - 1, want] and nothing else.
    if (!(got > want - 1 && got <= want)) {
      return {
        pass: false,
        measured: `predicted ${Number.isFinite(got) ? +got.toFixed(2) : String(got)}, measured ${want}`,
        message: `at ${ratePerSec} req/s with a ${rebuildMs} ms rebuild you predicted ${Number.isFinite(got) ? +got.toFixed(2) : got} origin queries, the herd measured ${want}: want a prediction that rounds up to ${want}`,
      };
    }
  }
  return { pass: true, measured: `predicted/measured ${rows.join(' ')}` };
};
