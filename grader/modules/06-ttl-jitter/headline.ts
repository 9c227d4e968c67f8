/**
 * Module 06's headline: the catalogue (three imports of 2,000 keys) without jitter (this
 * module's reference with deps.jitter 0) and with this module's code, same seed, same load:
 * peak and mean origin rate, total queries, p99 during the waves and overall, and the expiries
 * of the first import per second, the histogram the jitter flattens. The chart has two panels on
 * one time axis: origin queries per second, and when the imports' keys were set to expire.
 */
import type { HeadlineContext, HeadlineTable } from '../../src/define.js';
import { ms, n } from '../../src/check-kit.js';
import { catalogueRun, referenceCache } from './checks.js';
import type { WriteLog } from './app.js';
import { expiryHistogram, waves } from './measure.js';
import { CATALOGUE, CATALOGUE_RUN, JITTER, type CatalogueSpec } from './scenarios.js';

/** Per second of the run: how many of the imports' writes were set to expire in it. */
function importExpiries(log: WriteLog, spec: CatalogueSpec): number[] {
  const out = new Array<number>(Math.ceil(spec.durationMs / 1000)).fill(0);
  for (const at of spec.catalogue.batchesAtMs) {
    const { fromMs, counts } = expiryHistogram(log, at);
    for (const [i, c] of counts.entries()) {
      const s = Math.floor(fromMs / 1000) + i;
      if (s < out.length) out[s]! += c;
    }
  }
  return out;
}

const FIGURES = ['peak origin queries/s (worst wave)', 'mean origin queries/s in the waves', 'origin queries in total', 'p99 during the waves (worst)', 'p99 overall', 'first batch: most expiries in 1 s'];

export async function headline(ctx: HeadlineContext): Promise<HeadlineTable> {
  const reference = await referenceCache();
  const codes = [
    { label: 'no jitter', exports: reference, jitter: 0 },
    { label: ctx.label, exports: ctx.exports, jitter: JITTER },
  ];
  const runs = [];
  const expiries: Array<{ name: string; values: number[] }> = [];
  let name = '';
  for (const code of codes) {
    const { run, log, spec } = await catalogueRun(code.exports, ctx.seed, code.jitter);
    name = spec.name;
    const ws = waves(run, spec, JITTER);
    const active = ws.map((w) => {
      // Mean over the seconds of the wave that saw any query.
      const bins = run.report.origin.perSecond.slice(Math.floor(w.from / 1000), Math.ceil(w.to / 1000)).filter((v) => v > 0);
      return bins.length === 0 ? 0 : bins.reduce((a, b) => a + b, 0) / bins.length;
    });
    const hist = expiryHistogram(log, 0);
    expiries.push({ name: code.label, values: importExpiries(log, spec) });
    runs.push({
      label: code.label,
      values: [
        `${n(Math.max(...ws.map((w) => w.peak)))}`,
        `${n(Math.round(active.reduce((a, b) => a + b, 0) / active.length))}`,
        n(run.report.origin.queries),
        ms(Math.max(...ws.map((w) => w.p99))),
        ms(run.report.latency.p99),
        n(Math.max(0, ...hist.counts)),
      ],
      series: run.report.origin.perSecond,
    });
  }
  const r = CATALOGUE_RUN;
  return {
    scenario: `${name}: ${n(CATALOGUE.keys)} keys, ${r.batches} imports, ${n(r.ratePerSec)} reads/s, TTL ${r.ttlMs / 1000} s, ± ${JITTER * 100}%, seed ${ctx.seed}`,
    figures: FIGURES,
    runs,
    seriesLabel: 'origin queries/s',
    chart: {
      title: `06-ttl-jitter: origin queries and expiries per second (${name}, seed ${ctx.seed})`,
      yLabel: 'per second',
      binMs: 1000,
      series: [
        ...runs.map((run) => ({ name: `origin queries/s: ${run.label}`, values: run.series, panel: 'origin queries/s' })),
        ...expiries.map((e) => ({ name: `keys set to expire: ${e.name}`, values: e.values, panel: 'keys set to expire' })),
      ],
    },
  };
}
