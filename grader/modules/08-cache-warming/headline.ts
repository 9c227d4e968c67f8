/**
 * Module 08's headline: the cutover on identical load, cold (no warming, at the same instant)
 * against warmed by this code and held by its gate. Origin queries per second over the whole
 * run, both on one axis; the peak, the failures and the new tier's hit rate after the cutover.
 */
import { n } from '../../src/check-kit.js';
import type { HeadlineContext, HeadlineTable } from '../../src/define.js';
import type { CutoverRun } from './app.js';
import { CUTOVER, coldRun, mainRun } from './checks.js';
import { failedFrom, firstSecondHitRate, mostAtOnce, perSecond, perSecondFrom, warmQueries } from './measure.js';
import { cutoverSpec } from './scenarios.js';

const FIGURES = ['cutover at', 'new tier hit rate, first second', `origin peak, ${CUTOVER.seconds} s after`, 'live reads failed', 'warming queries at once (max)', 'keys warmed at the cutover'];

function figures(r: CutoverRun, cutAt: number): string[] {
  const warmed = warmQueries(r).filter((q) => q.outcome === 'ok' && q.t + q.durationMs <= cutAt).length;
  return [
    `${(cutAt / 1000).toFixed(1)} s`,
    `${Math.round(firstSecondHitRate(r) * 100)}%`,
    `${n(Math.max(...perSecondFrom(r, cutAt, CUTOVER.seconds)))}/s`,
    n(failedFrom(r, 0)),
    n(mostAtOnce(warmQueries(r)).count),
    n(warmed),
  ];
}

export async function headline(ctx: HeadlineContext): Promise<HeadlineTable> {
  const warmed = await mainRun(ctx.exports, ctx.seed);
  const cutAt = warmed.cutAt ?? cutoverSpec(ctx.seed).durationMs;
  const cold = await coldRun(ctx.seed, cutAt);
  const spec = cutoverSpec(ctx.seed);
  const runs = [
    { label: 'cold cutover (no warming)', values: figures(cold, cutAt), series: perSecond(cold) },
    { label: ctx.label, values: figures(warmed, cutAt), series: perSecond(warmed) },
  ];
  return {
    scenario: `${spec.name}, ${spec.load.kind === 'open' ? spec.load.ratePerSec : ''} reads/s, seed ${ctx.seed}`,
    figures: FIGURES,
    runs,
    seriesLabel: 'origin queries/s',
    chart: {
      title: `08-cache-warming: origin queries per second, cold vs warmed cutover (seed ${ctx.seed})`,
      yLabel: 'origin queries/s',
      binMs: 1000,
      series: runs.map((r) => ({ name: r.label, values: r.series })),
    },
  };
}
