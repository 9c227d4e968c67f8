/**
 * Hidden checks for module 01 (stampede): the naive cache reproduces the herd, its own
 * instrumentation agrees with the harness, and the learner can predict a herd's size.
 */
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { repoRoot, type AppFactory, type ReadThrough } from '@herd/harness/engine';
import { at, ms, n, range, runOrThrow } from '../src/check-kit.js';
import { hotKey, steadyArrivals } from '../src/scenarios.js';
import type { Exports, ModuleChecks } from '../src/types.js';

interface NaiveCache extends ReadThrough {
  stats(): { requests: number; misses: number; p99Ms: number };
}
type PredictHerd = (input: { ratePerSec: number; rebuildMs: number }) => number;

const app = (exports: Exports): AppFactory => exports.createNaiveCache as AppFactory;

/** The reference naive cache: the ground truth the prediction is measured against. */
async function referenceNaive(): Promise<AppFactory> {
  const file = path.join(repoRoot, 'solutions/01-stampede/naive-cache.ts');
  const mod = (await import(pathToFileURL(file).href)) as Exports;
  return mod.createNaiveCache as AppFactory;
}

export const PREDICTION_GRID = [
  { ratePerSec: 50, rebuildMs: 100 },
  { ratePerSec: 50, rebuildMs: 300 },
  { ratePerSec: 200, rebuildMs: 100 },
  { ratePerSec: 200, rebuildMs: 300 },
  { ratePerSec: 500, rebuildMs: 100 },
  { ratePerSec: 500, rebuildMs: 300 },
] as const;

/** Origin queries at the first TTL boundary after the cold start, with the reference naive cache. */
export async function measuredHerd(ratePerSec: number, rebuildMs: number): Promise<number> {
  const { report } = await runOrThrow(steadyArrivals(ratePerSec, rebuildMs), await referenceNaive());
  const boundary = report.boundaries[1] ?? report.boundaries[0];
  return boundary?.queries ?? 0;
}

const checks: ModuleChecks = {
  app,
  scenario: (seed) => hotKey(seed),
  checks: {
    async 'herd reproduced'({ seed, exports }) {
      const { report } = await runOrThrow(hotKey(seed), app(exports));
      const series = report.origin.perSecond;
      if (report.cache.misses === 0) {
        return {
          pass: false,
          measured: `${n(report.origin.queries)} queries, 0 misses`,
          message: `the cache never missed but the origin took ${n(report.origin.queries)} queries: get() does not read deps.cache (no cache misses recorded)`,
          series,
        };
      }
      const off = report.boundaries.find((b) => b.queries !== b.misses);
      if (off) {
        return {
          pass: false,
          measured: `${off.queries} queries for ${off.misses} misses`,
          message: `boundary at ${at(off.start)}: got ${off.queries} origin queries for ${off.misses} cache misses, want one query per miss (a naive cache fetches once per miss, no more, no less)`,
          series,
        };
      }
      const herds = report.boundaries.map((b) => b.queries);
      if (Math.max(...herds) <= 1) {
        return {
          pass: false,
          measured: `herd ${range(herds)}`,
          message: 'got at most 1 origin query per boundary, want a herd: coalescing is module 02; here every concurrent miss should reach the origin',
          series,
        };
      }
      return { pass: true, measured: `${report.boundaries.length} boundaries, herd ${range(herds)} = misses`, series };
    },

    async 'stats agree'({ seed, exports }) {
      const { report, fleet } = await runOrThrow(hotKey(seed), app(exports));
      const stats = (fleet[0]!.app as NaiveCache).stats?.();
      if (stats === undefined || typeof stats !== 'object') {
        return { pass: false, measured: '-', message: 'createNaiveCache(deps) must return an object with stats(): { requests, misses, p99Ms }' };
      }
      const want = { requests: report.requests, misses: report.cache.misses, p99Ms: report.latency.p99 };
      const measured = `${n(stats.requests)} req, ${n(stats.misses)} misses, p99 ${ms(stats.p99Ms)}`;
      if (stats.requests !== want.requests) {
        return { pass: false, measured, message: `stats() counted ${stats.requests} requests, want ${want.requests} (the harness sent that many get() calls)` };
      }
      if (stats.misses !== want.misses) {
        return { pass: false, measured, message: `stats() counted ${stats.misses} misses, want ${want.misses} (deps.cache counted that many)` };
      }
      if (!(Math.abs(stats.p99Ms - want.p99Ms) < 0.001)) {
        return {
          pass: false,
          measured,
          message: `stats() says p99 ${stats.p99Ms} ms, want ${want.p99Ms} ms: time each get() with deps.clock.now() and use percentile(latencies, 99)`,
        };
      }
      return { pass: true, measured };
    },

    async prediction({ exports }) {
      const predict = exports.predictHerd as PredictHerd;
      const rows: string[] = [];
      for (const { ratePerSec, rebuildMs } of PREDICTION_GRID) {
        const got = Number(predict({ ratePerSec, rebuildMs }));
        const want = await measuredHerd(ratePerSec, rebuildMs);
        rows.push(`${got.toFixed(0)}/${want}`);
        const tolerance = Math.max(1, 0.1 * want);
        if (!(Math.abs(got - want) <= tolerance)) {
          return {
            pass: false,
            measured: `predicted ${Number.isFinite(got) ? got.toFixed(1) : String(got)}, measured ${want}`,
            message: `at ${ratePerSec} req/s with a ${rebuildMs} ms rebuild you predicted ${Number.isFinite(got) ? +got.toFixed(2) : got} origin queries, the herd measured ${want} (want within +-${tolerance.toFixed(1)})`,
          };
        }
      }
      return { pass: true, measured: `predicted/measured ${rows.join(' ')}` };
    },
  },
};

export default checks;
