/**
 * Module 10's headline: the same node with no admission control and with the learner's, on the
 * identical load levels, fault and timeline, all measured in this run. The table carries the
 * goodput curve from 0.5x to 3x capacity side by side; the chart plays the timeline (load rising,
 * then the capacity halving) as goodput per 100 ms against what was offered.
 */
import type { AdmissionFactory, ResilienceReport } from '@herd/harness/engine';
import type { TimeSeriesChart } from '../../src/charts/svg-chart.js';
import { ms, n } from '../../src/check-kit.js';
import type { HeadlineContext, HeadlineTable } from '../../src/define.js';
import { admissionOf, fault, levels, run, type FaultFigures, type LevelFigures } from './measure.js';
import { CAPACITY, LEVELS, TIMELINE_FAULT, timeline } from './scenarios.js';

export interface Side {
  label: string;
  levels: LevelFigures[];
  fault: FaultFigures;
  timeline: ResilienceReport;
}

async function side(label: string, admission: AdmissionFactory | undefined, seed: number): Promise<Side> {
  return { label, levels: await levels(admission, seed), fault: await fault(admission, seed), timeline: (await run(timeline(seed), admission)).result.report };
}

/** No admission control first, then `exports`' factory (run first: a hook that refuses nothing stands for both). */
export async function sides(exports: Record<string, unknown>, label: string, seed: number): Promise<Side[]> {
  const yours = await side(label, admissionOf(exports), seed);
  return [await side('no shedding', undefined, seed), yours];
}

const pct = (good: number, offered: number): string => (offered === 0 ? '-' : `${Math.round((100 * good) / offered)}%`);

export function chartOf(runs: readonly Side[], title: string): TimeSeriesChart {
  const r = runs[0]!.timeline;
  return {
    title,
    yLabel: 'requests per 100 ms',
    binMs: r.binMs,
    series: [{ name: 'offered', values: r.series.offered }, ...runs.map((s) => ({ name: `goodput, ${s.label}`, values: s.timeline.series.goodput }))],
    bands: [{ fromMs: TIMELINE_FAULT.fromMs, toMs: TIMELINE_FAULT.toMs, label: TIMELINE_FAULT.label! }],
  };
}

export async function headline(ctx: HeadlineContext): Promise<HeadlineTable> {
  const runs = await sides(ctx.exports, ctx.label, ctx.seed);
  const top = LEVELS[LEVELS.length - 1]!;
  return {
    scenario: `1 node of ${n(CAPACITY)}/s, open-loop load ${LEVELS.join('x, ')}x, 1 s timeout; capacity halves at 1.5x; seed ${ctx.seed}, ${ctx.label}`,
    figures: [
      ...LEVELS.map((l) => `goodput/s at ${l}x`),
      `p99 at ${top}x`,
      'refused at 0.5x',
      `critical served at ${top}x`,
      `high / normal / sheddable served at ${top}x`,
      'goodput while capacity halved',
      'high served 3x / 4x slower',
    ],
    runs: runs.map((s) => {
      const last = s.levels[s.levels.length - 1]!;
      const b = last.byPriority;
      const halved = s.fault.windows.filter((w) => w.capacity === CAPACITY / 2);
      const slower = s.fault.windows.filter((w) => w.capacity < CAPACITY / 2);
      return {
        label: s.label,
        values: [
          ...s.levels.map((l) => n(Math.round(l.goodputPerSec))),
          last.p99 === 0 ? '-' : ms(last.p99),
          n(s.levels[0]!.rejected),
          `${n(last.critical.good)} of ${n(last.critical.offered)}`,
          `${pct(b.high.good, b.high.offered)} / ${pct(b.normal.good, b.normal.offered)} / ${pct(b.sheddable.good, b.sheddable.offered)}`,
          halved.map((w) => `${n(Math.round(w.meanPerSec))}/s of ${n(w.capacity)}`).join(', '),
          slower.map((w) => pct(w.byPriority.high.good, w.byPriority.high.offered)).join(' / '),
        ],
        series: s.timeline.series.goodput,
      };
    }),
    seriesLabel: 'goodput per 100 ms as load rises 0.5x to 3x, then capacity halves',
    chart: chartOf(runs, `10-load-shedding: goodput per 100 ms, load rising 0.5x-3x then capacity halving (seed ${ctx.seed})`),
  };
}
