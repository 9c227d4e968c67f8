/**
 * The headline table of a cache module: the previous module's reference and this module's code
 * on this module's scenario, same seed, so the only difference is the layer the module adds.
 */
import type { RunReport, ScenarioSpec } from '@herd/harness/engine';
import type { AppBuilder, HeadlineContext, HeadlineTable } from '../define.js';
import { CACHE_FIGURES } from './figures.js';
import { runApp } from './run-app.js';

export function cacheHeadline(id: string, scenario: (seed: number) => ScenarioSpec, app: AppBuilder) {
  return async (ctx: HeadlineContext): Promise<HeadlineTable> => {
    const spec = scenario(ctx.seed);
    const runs: Array<{ label: string; report: RunReport }> = [];
    if (ctx.previous) {
      const before = await runApp(ctx.previous.def.app, ctx.previous.exports, spec, { allowFailures: true });
      runs.push({ label: ctx.previous.label, report: before.report });
    }
    const after = await runApp(app, ctx.exports, spec, { allowFailures: true });
    runs.push({ label: ctx.label, report: after.report });
    return {
      scenario: `${spec.name}, seed ${ctx.seed}`,
      figures: CACHE_FIGURES.map((f) => f.name),
      runs: runs.map((r) => ({ label: r.label, values: CACHE_FIGURES.map((f) => f.value(r.report)), series: r.report.origin.perSecond })),
      seriesLabel: 'origin queries/s',
      chart: {
        title: `${id}: origin queries per second (${spec.name}, seed ${ctx.seed})`,
        yLabel: 'origin queries/s',
        binMs: 1000,
        series: runs.map((r) => ({ name: r.label, values: r.report.origin.perSecond })),
      },
    };
  };
}
