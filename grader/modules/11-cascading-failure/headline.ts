/**
 * Module 11's headline: the learner's balancer on the identical scenario with no layer, each
 * layer alone, and all of them, so the table shows what each layer fixes and what it leaves
 * broken; the chart is healthy nodes and goodput per 100 ms, no layer against all layers.
 */
import type { TimeSeriesChart } from '../../src/charts/svg-chart.js';
import type { Exports, HeadlineContext, HeadlineTable } from '../../src/define.js';
import { AFTER_SHARE, GOODPUT_FLOOR, READMIT_WITHIN_MS, failedNodeTimes, goodputPerSec, healthyLost, offeredPerSec } from './checks.js';
import { NO_LAYER, runFleet, yourFix, type FleetRun, type Layers } from './fleet-run.js';
import { ENVOY, FLEET, REMAINING_CAPACITY, scenarioLabel } from './scenario.js';

export const LAYER_RUNS = (exports: Exports): Array<{ label: string; layers: Layers }> => [
  { label: 'no layer', layers: NO_LAYER },
  { label: 'out-of-band only', layers: { ...NO_LAYER, healthCheck: 'out-of-band' } },
  { label: 'shedding only', layers: { ...NO_LAYER, shedding: true } },
  { label: `panic ${ENVOY.panicThresholdPct}% only`, layers: { ...NO_LAYER, panicThresholdPct: ENVOY.panicThresholdPct } },
  { label: `cap ${ENVOY.maxEjectionPct}% only`, layers: { ...NO_LAYER, maxEjectionPct: ENVOY.maxEjectionPct } },
  { label: 'all layers', layers: yourFix(exports) },
];

export const FIGURES = [
  'healthy nodes lost',
  'every node out',
  'fewest healthy',
  `goodput, ${FLEET.failedNode} down`,
  `${FLEET.failedNode} back in`,
  'goodput after',
  'left broken',
];

/** The figures of one run, in FIGURES order: all measured. */
export function figuresOf(run: FleetRun): string[] {
  const r = run.result.report;
  const lost = healthyLost(run, FLEET.failFromMs, FLEET.failToMs).nodes.length;
  const collapse = r.balancer.collapseAtMs;
  const during = goodputPerSec(r, FLEET.failFromMs, FLEET.failToMs);
  const { backAt } = failedNodeTimes(run);
  const settle = FLEET.failToMs + READMIT_WITHIN_MS;
  const after = goodputPerSec(r, settle, FLEET.durationMs);
  const offeredAfter = offeredPerSec(r, settle, FLEET.durationMs);
  const ejectedAfter = backAt !== null && r.balancer.events.some((e) => e.event === 'ejected' && e.t > backAt);
  const broken =
    collapse !== null
      ? 'cascade: every node out'
      : lost > 0
        ? `flapping: ${lost} healthy lost`
        : during < GOODPUT_FLOOR
          ? 'survivors drown: queues past timeout'
          : backAt === null || ejectedAfter || after < AFTER_SHARE * offeredAfter
            ? 'recovery'
            : 'nothing';
  return [
    `${lost} of ${FLEET.nodes - 1}`,
    collapse === null ? 'never' : `${((collapse - FLEET.failFromMs) / 1000).toFixed(1)} s after`,
    `${r.balancer.minHealthy} of ${FLEET.nodes}`,
    `${during}/s (${Math.round((100 * during) / REMAINING_CAPACITY)}%)`,
    backAt === null ? 'never' : `${((backAt - FLEET.failToMs) / 1000).toFixed(1)} s`,
    `${after}/s`,
    broken,
  ];
}

/**
 * Healthy nodes and goodput, both in % (of the fleet, of what was offered) so they share one axis;
 * one panel per run, since four lines on one axis cannot be told apart.
 */
export function timeline(runs: Array<{ label: string; run: FleetRun }>, title: string): TimeSeriesChart {
  const series = runs.flatMap(({ label, run }) => {
    const r = run.result.report;
    return [
      { name: `${label}: healthy nodes (% of ${FLEET.nodes})`, panel: label, values: r.series.healthy.map((h) => (100 * h) / FLEET.nodes) },
      { name: `${label}: goodput (% of offered)`, panel: label, values: r.series.goodput.map((g, i) => (r.series.offered[i]! > 0 ? Math.round((100 * g) / r.series.offered[i]!) : 0)) },
    ];
  });
  return {
    title,
    yLabel: '%',
    binMs: 100,
    series,
    bands: [{ fromMs: FLEET.failFromMs, toMs: FLEET.failToMs, label: `${FLEET.failedNode} down` }],
    yScale: { max: 120 },
  };
}

export async function headline(ctx: HeadlineContext): Promise<HeadlineTable> {
  const runs: Array<{ label: string; run: FleetRun }> = [];
  for (const { label, layers } of LAYER_RUNS(ctx.exports)) runs.push({ label: label === 'all layers' ? `${ctx.label}: all layers` : label, run: await runFleet(ctx.exports, ctx.seed, layers) });
  const ends = [runs[0]!, runs[runs.length - 1]!];
  return {
    scenario: scenarioLabel(ctx.seed),
    figures: FIGURES,
    runs: runs.map(({ label, run }) => ({ label, values: figuresOf(run), series: run.result.report.series.goodput })),
    seriesLabel: 'goodput per 100 ms',
    chart: timeline(ends, `11-cascading-failure: healthy nodes and goodput per 100 ms (${scenarioLabel(ctx.seed)})`),
  };
}
