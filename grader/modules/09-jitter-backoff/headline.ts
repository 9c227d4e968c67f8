/**
 * Module 09's headline: every strategy side by side on the identical scenarios, all measured in
 * this run. Brooker's contention model (calls and completion, next to AWS's published re-run)
 * and the 10 s outage (attempts, when the last request was answered, the busiest 100 ms after
 * the return over the mean), with the outage's attempts per 100 ms charted, one line each.
 */
import type { ContentionReport } from '@herd/harness/engine';
import type { TimeSeriesChart } from '../../src/charts/svg-chart.js';
import { n } from '../../src/check-kit.js';
import type { Exports, HeadlineContext, HeadlineTable } from '../../src/define.js';
import { contentionOf, recoveryOf, type RecoveryFigures } from './herd-checks.js';
import { AWS_ANCHOR, OUTAGE, STRATEGIES, recovery, type StrategyName } from './scenarios.js';

/** Every strategy, "no backoff" (retry at once) first. */
export const ROWS: ReadonlyArray<{ name: StrategyName | 'none'; label: string }> = [{ name: 'none', label: 'no backoff' }, ...STRATEGIES];

/** The part of the run the chart shows: the outage and the seconds after it. */
const CHART_MS = OUTAGE.toMs + 3000;

export interface StrategyRun {
  name: StrategyName | 'none';
  label: string;
  contention: ContentionReport;
  recovery: RecoveryFigures;
}

export async function runAll(exports: Exports, seed: number): Promise<StrategyRun[]> {
  const out: StrategyRun[] = [];
  for (const { name, label } of ROWS) {
    out.push({ name, label, contention: await contentionOf(exports, name, seed), recovery: await recoveryOf(exports, name, seed) });
  }
  return out;
}

const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function chartOf(runs: readonly StrategyRun[], title: string): TimeSeriesChart {
  const binMs = runs[0]!.recovery.result.report.binMs;
  return {
    title,
    yLabel: 'attempts per 100 ms',
    binMs,
    series: runs.map((r) => ({ name: r.label, values: r.recovery.result.report.series.attempts.slice(0, CHART_MS / binMs) })),
    bands: [{ ...OUTAGE, label: 'service down (10 s)' }],
    yScale: { type: 'symlog' },
  };
}

export async function headline(ctx: HeadlineContext): Promise<HeadlineTable> {
  const runs = await runAll(ctx.exports, ctx.seed);
  const spec = recovery(ctx.seed);
  return {
    scenario: `Brooker's contention, 100 clients; ${spec.name}; seed ${ctx.seed}, ${ctx.label}`,
    figures: [
      'contention: calls',
      'contention: completion',
      "AWS's re-run: calls / completion",
      'outage: attempts',
      'outage: all answered by',
      'outage: peak/mean after',
    ],
    runs: runs.map((r) => {
      const aws = AWS_ANCHOR[r.name];
      const rec = r.recovery;
      return {
        label: r.label,
        values: [
          n(r.contention.calls),
          sec(r.contention.completionMs),
          `${n(aws.calls)} / ${sec(aws.completionMs)}`,
          n(rec.attempts),
          rec.ok === rec.result.report.totals.offered ? sec(rec.doneAtMs) : `${n(rec.ok)} of ${n(rec.result.report.totals.offered)} ok`,
          rec.mean > 0 ? rec.ratio.toFixed(2) : '- (none left)',
        ],
        series: rec.result.report.series.attempts.slice(0, CHART_MS / rec.result.report.binMs),
      };
    }),
    seriesLabel: 'attempts per 100 ms during and after the outage',
    chart: chartOf(runs, `09-jitter-backoff: attempts per 100 ms, outage 1-11 s (seed ${ctx.seed})`),
  };
}
