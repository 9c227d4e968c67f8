/**
 * `pnpm demo 05`: the hot key's minute under XFetch, refresh by refresh, from a measured run:
 * how long before expiry each recompute started, how long it took, and that nobody waited.
 */
import chalk from 'chalk';
import { sparkline } from '@herd/harness/engine';
import { runApp } from '../../src/cache/run-app.js';
import type { DemoContext } from '../../src/define.js';
import { hotKey } from '../../src/scenarios.js';
import { missesAfterColdStart, refreshes } from './measure.js';
import { BETA } from './scenarios.js';

const pause = (msReal: number): Promise<void> => new Promise((r) => setTimeout(r, msReal));

export async function demo(ctx: DemoContext): Promise<number> {
  const spec = hotKey(ctx.seed);
  const run = await runApp(ctx.def.app, ctx.exports, spec);
  ctx.ran?.();
  const { report, served } = run;
  const o = spec.origin;
  console.log(chalk.bold(`${ctx.def.id} ${ctx.def.title}`) + chalk.dim(` (${ctx.target === 'solution' ? 'reference' : 'your code'}, seed ${ctx.seed})`));
  console.log(`500 clients on one hot key, TTL ${spec.ttlMs / 1000} s, origin ${o.latencyMs} ms + up to ${o.jitterMs}; every read asks: now - delta x ${BETA} x ln(rand) >= expiry?\n`);
  const first = report.boundaries[0];
  if (first === undefined) {
    console.log('No origin queries at all: nothing to show.');
    return 0;
  }
  console.log(chalk.yellow(`t=0.000s  cold start: ${first.misses} reads missed and waited for the first value (p99 ${Math.round(first.p99)} ms)`));
  for (const r of refreshes(run, 'home', spec.ttlMs)) {
    if (ctx.live) await pause(350);
    const waited = countSlow(served, r.start, r.start + r.previous.durationMs + 1000);
    const when = r.leadMs > 0 ? chalk.green(`${Math.round(r.leadMs)} ms before expiry`) : chalk.red(`${Math.round(-r.leadMs)} ms after expiry`);
    console.log(
      `t=${(r.start / 1000).toFixed(3)}s  ${r.leadMs > 0 ? 'a read drew early' : 'the value expired'}, ${when} (the last recompute took ${Math.round(r.previous.durationMs)} ms): ` +
        `${r.queries} ${r.queries === 1 ? 'recompute' : 'recomputes'}; ${waited === 0 ? chalk.green('nobody waited') : chalk.red(`${waited} reads waited`)}`,
    );
  }
  if (ctx.live) await pause(400);
  console.log('');
  console.log(chalk.bold(`Reads that found the value expired after the cold start: ${missesAfterColdStart(run)}`) + ` (of ${report.requests.toLocaleString('en-US')} reads)`);
  console.log(`${chalk.dim('origin queries/s')} ${chalk.cyan(sparkline(report.origin.perSecond))}`);
  console.log(chalk.dim('All figures measured in this run under the virtual clock; the same seed prints the same figures.'));
  return 0;
}

/** Reads started in [from, to) that took longer than 5 ms: someone waited for the origin. */
function countSlow(served: { n: number; start: Float64Array; latency: Float64Array }, from: number, to: number): number {
  let c = 0;
  for (let i = 0; i < served.n; i++) if (served.start[i]! >= from && served.start[i]! < to && served.latency[i]! > 5) c++;
  return c;
}
