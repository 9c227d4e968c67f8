/**
 * Module 07's headline: the checks' crawler (18,000 absent ids in 9 s; the live demo runs the
 * full 100,000), same seed, three caches. Module
 * 01's naive cache (which keeps a null like any value, in the one LRU, for the full TTL), this
 * module's starter (values only: every "not found" goes back to the origin) and this module's
 * code. The per-key figure and the created key come from the run without the scan, where no
 * bound binds; everything else from the run with it.
 */
import type { RunResult } from '@herd/harness/engine';
import { runApp } from '../../src/cache/run-app.js';
import { ms, n } from '../../src/check-kit.js';
import type { AppBuilder, Exports, HeadlineContext, HeadlineTable } from '../../src/define.js';
import { app, type NegativeDeps } from './app.js';
import { crowding, itemHitRate, lastNullFrom, probes } from './measure.js';
import { CHECK_SCAN as SCAN, CREATED, NEG, negativeScenario } from './scenarios.js';

const FIGURES = [
  'origin queries/s during the scan (mean)',
  'absent-id queries/s during the scan',
  'repeated absent ids: queries/s (no scan)',
  'most "not found" per key per 5 s (no scan)',
  "items' hit rate during the scan",
  "items' hit rate, same span, no scan",
  'absent ids held at a probe (most; bound 1,000)',
  'null after a key exists (worst)',
];

/** The starter's read path (values only, a "not found" never kept), built here so a learner's edits do not change the row. */
const valuesOnly: AppBuilder = async (exports) => ({
  ...(await app(exports)),
  factory: (deps: NegativeDeps) => {
    const flight = deps.singleFlight();
    return {
      async get(key: string) {
        const hit = deps.cache.get(key);
        if (hit !== undefined) return hit as never;
        return flight.do(key, async () => {
          const value = await deps.origin.fetch(key);
          if (value !== null) deps.cache.set(key, value, deps.ttlMs);
          return value;
        });
      },
    };
  },
});

const isAbsentId = (k: string): boolean => k.startsWith('gone:') || k.startsWith('scan:');

function figures(scan: RunResult, quiet: RunResult): string[] {
  const secs = (SCAN.toMs - SCAN.fromMs) / 1000;
  const span = { fromMs: SCAN.fromMs, toMs: SCAN.toMs };
  const during = scan.origin.log.filter((q) => q.t >= SCAN.fromMs && q.t < SCAN.toMs);
  const absentDuring = during.filter((q) => isAbsentId(q.key)).length;
  const repeated = quiet.origin.log.filter((q) => q.key.startsWith('gone:')).length / (quiet.report.durationMs / 1000);
  const c = crowding(quiet, NEG.negativeTtlMs, (k) => k.startsWith('gone:'));
  const held = Math.max(0, ...probes(scan, NEG.maxNegative / 2, SCAN).map((p) => p.held));
  let late = 0;
  for (const k of CREATED) {
    const last = lastNullFrom(quiet, k.quiet, k.at);
    if (!Number.isNaN(last)) late = Math.max(late, last - k.at);
  }
  const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
  return [n(Math.round(during.length / secs)), n(Math.round(absentDuring / secs)), n(Math.round(repeated)), String(c.most), pct(itemHitRate(scan, span).rate), pct(itemHitRate(quiet, span).rate), n(held), ms(late)];
}

export async function headline(ctx: HeadlineContext): Promise<HeadlineTable> {
  const scanSpec = negativeScenario(ctx.seed, { scan: SCAN });
  const quietSpec = negativeScenario(ctx.seed, { scan: false });
  const codes: Array<{ label: string; app: AppBuilder | undefined; exports: Exports }> = [];
  if (ctx.previous) codes.push({ label: `${ctx.previous.label}: null kept like a value`, app: ctx.previous.def.app, exports: ctx.previous.exports });
  if (ctx.target === 'solution') codes.push({ label: 'values only (the starter)', app: valuesOnly, exports: {} });
  codes.push({ label: ctx.label, app, exports: ctx.exports });
  const runs = [];
  for (const code of codes) {
    const options = { allowFailures: true, allowWrongAnswers: true };
    const scan = await runApp(code.app, code.exports, scanSpec, options);
    const quiet = await runApp(code.app, code.exports, quietSpec, options);
    runs.push({ label: code.label, values: figures(scan, quiet), series: scan.report.origin.perSecond });
  }
  return {
    scenario: `${scanSpec.name} (${n(((SCAN.toMs - SCAN.fromMs) / 1000) * 2_000)} distinct ids, ${SCAN.fromMs / 1000}-${SCAN.toMs / 1000} s; the live demo runs 100,000) and ${quietSpec.durationMs / 1000} s without it, seed ${ctx.seed}`,
    figures: FIGURES,
    runs,
    seriesLabel: 'origin queries/s (scan)',
    chart: {
      title: `07-negative-caching: origin queries per second (${scanSpec.name}, seed ${ctx.seed})`,
      yLabel: 'origin queries/s',
      binMs: 1000,
      series: runs.map((r) => ({ name: r.label, values: r.series })),
    },
  };
}
