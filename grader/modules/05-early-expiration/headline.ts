/**
 * Module 05's headline: the hot-key table every cache module prints (the previous module's
 * reference against this module's code, same scenario, same seed), plus the cold tail of a
 * many-key minute, where XFetch has nothing to work with. Shown side by side, not hidden.
 */
import type { RunReport, ScenarioSpec } from '@herd/harness/engine';
import { CACHE_FIGURES } from '../../src/cache/figures.js';
import { runApp } from '../../src/cache/run-app.js';
import type { AppBuilder, Exports, HeadlineContext, HeadlineTable } from '../../src/define.js';
import { n } from '../../src/check-kit.js';
import { hotKey } from '../../src/scenarios.js';
import { app } from './app.js';
import { tail } from './measure.js';
import { COLD, hotAndCold } from './scenarios.js';

/** The cold start's first rebuild is the same for everyone: the module's claim is about the boundaries after it. */
const LATER_P99 = 'p99 at the boundary (worst after the cold start)';
const hotFigures = (report: RunReport): string[] =>
  CACHE_FIGURES.map((f) => (f.name.startsWith('p99 at the boundary') ? `${Math.round(Math.max(0, ...report.boundaries.slice(1).map((b) => b.p99)))} ms` : f.value(report)));
const hotNames = CACHE_FIGURES.map((f) => (f.name.startsWith('p99 at the boundary') ? LATER_P99 : f.name));

const COLD_FIGURES = ['cold keys (~1 read per TTL): reads that waited', 'cold keys: origin queries'];

export async function headline(ctx: HeadlineContext): Promise<HeadlineTable> {
  const hot: ScenarioSpec = hotKey(ctx.seed);
  const mixed = hotAndCold(ctx.seed);
  const codes: Array<{ label: string; app: AppBuilder | undefined; exports: Exports }> = [];
  if (ctx.previous) codes.push({ label: ctx.previous.label, app: ctx.previous.def.app, exports: ctx.previous.exports });
  codes.push({ label: ctx.label, app, exports: ctx.exports });
  const runs = [];
  for (const code of codes) {
    const { report } = await runApp(code.app, code.exports, hot, { allowFailures: true });
    const cold = tail(await runApp(code.app, code.exports, mixed, { allowFailures: true }), COLD);
    runs.push({
      label: code.label,
      values: [...hotFigures(report), `${n(cold.waited)} of ${n(cold.reads)}`, n(cold.queries)],
      series: report.origin.perSecond,
    });
  }
  return {
    scenario: `${hot.name}, seed ${ctx.seed}; cold keys from "${mixed.name}"`,
    figures: [...hotNames, ...COLD_FIGURES],
    runs,
    seriesLabel: 'origin queries/s (hot-key)',
    chart: {
      title: `05-early-expiration: origin queries per second (${hot.name}, seed ${ctx.seed})`,
      yLabel: 'origin queries/s',
      binMs: 1000,
      series: runs.map((r) => ({ name: r.label, values: r.series })),
    },
  };
}
