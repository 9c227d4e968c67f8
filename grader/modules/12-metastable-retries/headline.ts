/**
 * Module 12's headline: the learner's client and gate on the latency-spike scenario, once per
 * layer configuration (nothing, each layer alone, all three), with the timeline of the pin and
 * the fix on one chart.
 */
import type { TimeSeriesChart } from '../../src/charts/svg-chart.js';
import type { HeadlineContext, HeadlineTable } from '../../src/define.js';
import { ALL, CONFIGS, runMeta, type MetaRun } from './run.js';
import { META, blipFaults, triggerLabel } from './scenarios.js';

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const recovered = (ms: number | null): string => (ms === null ? 'never' : `${+(ms / 1000).toFixed(1)} s`);

export const FIGURES = ['goodput during the trigger', 'goodput after it (12 s)', 'recovery after the trigger', 'recovery after the stall', 'attempts per request', 'retries'];

const perSecond = (bins: readonly number[]): number[] =>
  Array.from({ length: Math.ceil(bins.length / 10) }, (_, s) => bins.slice(s * 10, s * 10 + 10).reduce((a, b) => a + b, 0));

/** The trigger, the stall and the blips, as chart bands. */
export function bands(): NonNullable<TimeSeriesChart['bands']> {
  const blips = blipFaults();
  return [
    { ...META.trigger, label: `trigger: ${triggerLabel('slow')}` },
    { ...META.stall, label: 'stall: no worker' },
    { fromMs: blips[0]!.fromMs, toMs: blips[blips.length - 1]!.toMs, label: `${META.blips.lengthMs} ms blips` },
  ];
}

/** Offered load, goodput and retries per 100 ms of the pinned run and the fixed one. */
export function timeline(pinned: MetaRun, fixed: MetaRun, title: string): TimeSeriesChart {
  const p = pinned.result.report.series;
  const f = fixed.result.report.series;
  return {
    title,
    yLabel: 'requests per 100 ms',
    binMs: 100,
    // One panel per variant, on the same axes: five lines on one plot cannot be told apart.
    series: [
      { name: 'offered', values: p.offered, panel: 'immediate retries' },
      { name: 'goodput, immediate retries', values: p.goodput, panel: 'immediate retries' },
      { name: 'retries, immediate retries', values: p.retries, panel: 'immediate retries' },
      { name: 'offered, all three layers', values: f.offered, panel: 'all three layers' },
      { name: 'goodput, all three layers', values: f.goodput, panel: 'all three layers' },
      { name: 'retries, all three layers', values: f.retries, panel: 'all three layers' },
    ],
    bands: bands(),
  };
}

export async function headline(ctx: HeadlineContext): Promise<HeadlineTable> {
  const runs = [];
  for (const c of CONFIGS) runs.push({ label: c.label, run: await runMeta(ctx.exports, ctx.seed, c.layers) });
  const pinned = runs.find((r) => r.label === CONFIGS[0]!.label)!.run;
  const fixed = await runMeta(ctx.exports, ctx.seed, ALL);
  return {
    scenario: `80% load, ${triggerLabel('slow')} for 10 s, then blips and a 600 ms stall (${ctx.label}), seed ${ctx.seed}`,
    figures: FIGURES,
    runs: runs.map(({ label, run }) => {
      const f = run.figures;
      return {
        label,
        values: [pct(f.during), pct(f.after), recovered(f.recoveryMs), recovered(f.stallRecoveryMs), f.amplification.toFixed(2), `${f.retries} (${pct(f.retryShare)})`],
        series: perSecond(run.result.report.series.goodput),
      };
    }),
    seriesLabel: 'goodput/s',
    chart: timeline(pinned, fixed, `12-metastable-retries: the pin and the fix (${ctx.label}, seed ${ctx.seed})`),
  };
}
