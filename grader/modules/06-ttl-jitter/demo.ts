/**
 * `pnpm demo 06`: the catalogue's 36 seconds, measured: when the batch's keys expire
 * (the histogram of expiries), what the origin got each second, without jitter and with this
 * code, and what the readers waited.
 */
import chalk from 'chalk';
import { terminalChart } from '../../src/charts/terminal-chart.js';
import { ms, n } from '../../src/check-kit.js';
import type { DemoContext } from '../../src/define.js';
import { paragraph, terminalWidth } from '../../src/render.js';
import { catalogueRun, referenceCache } from './checks.js';
import { expiryHistogram, waves } from './measure.js';
import { BATCHES, CATALOGUE, CATALOGUE_ORIGIN, CATALOGUE_RUN, JITTER } from './scenarios.js';

const pause = (msReal: number): Promise<void> => new Promise((r) => setTimeout(r, msReal));

export async function demo(ctx: DemoContext): Promise<number> {
  const reference = await referenceCache();
  const before = await catalogueRun(reference, ctx.seed, 0);
  const after = await catalogueRun(ctx.exports, ctx.seed, JITTER);
  ctx.ran?.();
  const who = ctx.target === 'solution' ? 'reference' : 'your code';
  console.log(chalk.bold(`${ctx.def.id} ${ctx.def.title}`) + chalk.dim(` (${who}, seed ${ctx.seed})`));
  const o = CATALOGUE_ORIGIN;
  console.log(
    paragraph(
      `A batch job writes ${n(CATALOGUE.keys)} keys in one instant, at t=${BATCHES.map((b) => b / 1000).join(', ')} s; TTL ${CATALOGUE_RUN.ttlMs / 1000} s; ${n(CATALOGUE_RUN.ratePerSec)} reads a second over the keys; ` +
        `the origin answers in ${o.latencyMs}-${o.latencyMs + o.jitterMs} ms, ${o.capacity} at once.`,
      0,
    ) + '\n',
  );
  for (const [label, r] of [['no jitter', before], [`${who}, jitter ± ${JITTER * 100}%`, after]] as const) {
    if (ctx.live) await pause(400);
    const hist = expiryHistogram(r.log, 0);
    const span = hist.counts.length;
    console.log(chalk.yellow(`${label}: the first batch's keys expire over ${span} s, at most ${n(Math.max(0, ...hist.counts))} in one second`));
    const ws = waves(r.run, r.spec, JITTER);
    for (const [i, w] of ws.entries()) {
      console.log(`  wave ${i + 1}: peak ${n(w.peak)} origin queries/s at t=${(w.peakAt / 1000).toFixed(0)}s; request p99 ${ms(w.p99)}`);
    }
    console.log(`  origin queries in total: ${n(r.run.report.origin.queries)}\n`);
  }
  const table = await ctx.headline?.();
  // The terminal draws every series on one scale: the origin's panel only.
  const panel = 'origin queries/s';
  const origin = (table?.chart?.series ?? []).filter((s) => s.panel === panel).map((s) => ({ name: s.name.replace(`${panel}: `, ''), values: s.values }));
  if (table?.chart && origin.length > 0) {
    const chart = { ...table.chart, title: `seed ${ctx.seed}`, yLabel: panel, series: origin };
    console.log(terminalChart(chart, { width: terminalWidth(), height: 8 }));
  }
  console.log(chalk.dim(paragraph('All figures measured in this run under the virtual clock; the same seed prints the same figures.', 0)));
  return 0;
}
