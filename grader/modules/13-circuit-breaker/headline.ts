/**
 * Module 13's headline: the same 20 s store outage read three ways (no breaker; the breaker
 * alone; the breaker with its fallback), each measured from outside, with the timeline chart
 * of what the database took and how many requests failed fast.
 */
import type { Exports, HeadlineContext, HeadlineTable } from '../../src/define.js';
import type { TimeSeriesChart } from '../../src/charts/svg-chart.js';
import { ms, n } from '../../src/check-kit.js';
import { answers, closedAfter, maxOver, openedAfter, sumOver, waitedTimeout } from './measure.js';
import { breakerOnly, codeKey, makeBreaker, noBreaker, outageSpec, protectedRead, worldRun } from './scenarios.js';
import { perSecond } from './series.js';
import { OUTAGE, WORLD, type Breaker, type WorldRun } from './world.js';

const F = OUTAGE.fromMs;
const R = OUTAGE.toMs;

/** A breaker that is never consulted: the "no breaker" read path does not call it. */
const unused = (): Breaker => ({ call: (fn) => fn(), state: () => 'closed' });

export interface Variant {
  label: string;
  run: WorldRun;
}

export async function variants(exports: Exports, seed: number, suffix: string): Promise<Variant[]> {
  const spec = outageSpec(seed);
  const key = codeKey(exports);
  return [
    { label: 'no breaker', run: await worldRun(noBreaker, 'none', noBreaker, spec, unused) },
    { label: `breaker${suffix}`, run: await worldRun(key, 'breaker', breakerOnly, spec, makeBreaker(exports)) },
    { label: `breaker + fallback${suffix}`, run: await worldRun(key, 'protected', protectedRead(exports), spec, makeBreaker(exports)) },
  ];
}


export const FIGURES: Array<{ name: string; value: (run: WorldRun) => string }> = [
  { name: 'database queries/s during the outage', value: (r) => n(Math.round(sumOver(r.originCalls, r, F, R) / ((R - F) / 1000))) },
  { name: `database backlog at peak (${WORLD.origin.workers} workers)`, value: (r) => n(maxOver(r.originHeldMax, r, F, R).value) },
  { name: 'requests failed during the outage', value: (r) => n(answers(r, F, R).failed) },
  { name: 'of them failed fast (< 10 ms)', value: (r) => n(sumOver(r.fastFailures, r, F, R)) },
  { name: `waited the store's ${WORLD.store.timeoutMs} ms timeout`, value: (r) => n(waitedTimeout(r, F, R)) },
  { name: 'served stale during the outage', value: (r) => n(answers(r, F, R).servedStale) },
  { name: 'open after the store died', value: (r) => fmt(openedAfter(r, F, R)) },
  { name: 'closed after the store returned', value: (r) => (openedAfter(r, F, R) === null ? '-' : fmt(closedAfter(r, R, OUTAGE.durationMs))) },
];

const fmt = (v: number | null): string => (v === null ? 'never' : ms(v));

export function timelineChart(list: readonly Variant[], title: string): TimeSeriesChart {
  const last = list[list.length - 1]!;
  return {
    title,
    yLabel: 'per second',
    binMs: 1000,
    series: [
      ...list.map((v) => ({ name: `database queries/s, ${v.label}`, values: perSecond(v.run.originCalls, v.run.binMs) })),
      { name: `fast failures/s, ${last.label}`, values: perSecond(last.run.fastFailures, last.run.binMs) },
    ],
    bands: [{ fromMs: F, toMs: R, label: 'store down' }],
  };
}

export async function headline(ctx: HeadlineContext): Promise<HeadlineTable> {
  const list = await variants(ctx.exports, ctx.seed, ctx.target === 'solution' ? '' : ' (yours)');
  const spec = outageSpec(ctx.seed);
  return {
    scenario: `${spec.name}, seed ${ctx.seed}`,
    figures: FIGURES.map((f) => f.name),
    runs: list.map((v) => ({ label: v.label, values: FIGURES.map((f) => f.value(v.run)), series: perSecond(v.run.originCalls, v.run.binMs) })),
    seriesLabel: 'database queries/s',
    chart: timelineChart(list, `13-circuit-breaker: the store down for 20 s (seed ${ctx.seed})`),
  };
}
