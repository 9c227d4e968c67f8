/**
 * The headline table of a cache module: the previous module's reference and this module's code
 * on this module's scenario, same seed, so the only difference is the layer the module adds.
 */
import type { RunReport, ScenarioSpec } from '@herd/harness/engine';
import type { AppBuilder, HeadlineContext, HeadlineTable } from '../define.js';
import { CACHE_FIGURES, type Figure } from './figures.js';
import { runApp } from './run-app.js';

export interface CacheHeadlineOptions {
  /** Default CACHE_FIGURES. */
  figures?: readonly Figure[];
  /** How the previous module's reference is built here (default its own app builder), e.g. with this module's store latency. */
  before?: AppBuilder;
  /** Said after the scenario's name: "store round trips 1-4 ms". */
  note?: string;
}

export function cacheHeadline(id: string, scenario: (seed: number) => ScenarioSpec, app: AppBuilder, options: CacheHeadlineOptions = {}) {
  const figures = options.figures ?? CACHE_FIGURES;
  return async (ctx: HeadlineContext): Promise<HeadlineTable> => {
    const spec = scenario(ctx.seed);
    const runs: Array<{ label: string; report: RunReport }> = [];
    if (ctx.previous) {
      const before = await runApp(options.before ?? ctx.previous.def.app, ctx.previous.exports, spec, { allowFailures: true });
      runs.push({ label: ctx.previous.label, report: before.report });
    }
    const after = await runApp(app, ctx.exports, spec, { allowFailures: true });
    runs.push({ label: ctx.label, report: after.report });
    return {
      scenario: `${spec.name}${options.note ? `, ${options.note}` : ''}, seed ${ctx.seed}`,
      figures: figures.map((f) => f.name),
      runs: runs.map((r) => ({ label: r.label, values: figures.map((f) => f.value(r.report)), series: r.report.origin.perSecond })),
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
