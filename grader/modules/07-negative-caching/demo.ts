/**
 * `pnpm demo 07`: the crawler's minute, five seconds a line, from a measured run: what reached
 * the origin (absent ids against existing items), the items' hit rate, what the scan's probes
 * found held, and when the created keys were first served. Played fast (not live: a test, a
 * pipe) it runs the checks' shorter crawl of 18,000 ids instead of 100,000: the same lines.
 */
import chalk from 'chalk';
import { sparkline } from '@herd/harness/engine';
import { runApp } from '../../src/cache/run-app.js';
import { n } from '../../src/check-kit.js';
import type { DemoContext } from '../../src/define.js';
import { probes } from './measure.js';
import { CHECK_SCAN, CREATED, NEG, SCAN, negativeScenario } from './scenarios.js';

const pause = (msReal: number): Promise<void> => new Promise((r) => setTimeout(r, msReal));
const STEP_MS = 5_000;

export async function demo(ctx: DemoContext): Promise<number> {
  const scan = ctx.live ? SCAN : CHECK_SCAN;
  const spec = negativeScenario(ctx.seed, { scan });
  const run = await runApp(ctx.def.app, ctx.exports, spec, { allowFailures: true, allowWrongAnswers: true });
  ctx.ran?.();
  const { served, origin } = run;
  console.log(chalk.bold(`${ctx.def.id} ${ctx.def.title}`) + chalk.dim(` (${ctx.target === 'solution' ? 'reference' : 'your code'}, seed ${ctx.seed})`));
  console.log(`1,000 items, 300 absent ids read again and again, and from ${scan.fromMs / 1000} s to ${scan.toMs / 1000} s a crawler:`);
  console.log(`2,000 new absent ids a second. Negative TTL ${NEG.negativeTtlMs / 1000} s, at most ${n(NEG.maxNegative)} negative entries.\n`);
  for (let from = 0; from < spec.durationMs; from += STEP_MS) {
    if (ctx.live) await pause(300);
    const to = from + STEP_MS;
    let absent = 0;
    let items = 0;
    for (const q of origin.log) {
      if (q.t < from || q.t >= to) continue;
      if (q.key.startsWith('item:')) items++;
      else absent++;
    }
    let reads = 0;
    for (let i = 0; i < served.n; i++) if (served.start[i]! >= from && served.start[i]! < to && served.keys[served.key[i]!]!.startsWith('item:')) reads++;
    const hit = reads === 0 ? 0 : 1 - items / reads;
    const scanning = from >= scan.fromMs && from < scan.toMs ? chalk.yellow('scan ') : '     ';
    const a = `${n(Math.round(absent / 5))}/s`.padStart(7);
    console.log(`t=${String(from / 1000).padStart(2)}-${String(to / 1000).padStart(2)}s ${scanning}absent-id queries ${a}  items ${String(items).padStart(4)} queries, hit rate ${(hit * 100).toFixed(1)}%`);
  }
  console.log('');
  for (const p of probes(run, NEG.maxNegative / 2, scan)) {
    const ok = p.held <= NEG.maxNegative;
    console.log(`probe t=${p.at / 1000}s: of the ${n(p.reads)} ids just scanned, ${ok ? chalk.green(n(p.held)) : chalk.red(n(p.held))} still held (bound ${n(NEG.maxNegative)})`);
  }
  const first = CREATED[0]!;
  let served0 = NaN;
  for (let i = 0; i < served.n; i++) {
    if (served.keys[served.key[i]!] !== first.quiet || served.answer[i] !== 0 || served.ok[i] !== 1) continue;
    const at = served.start[i]! + served.latency[i]!;
    if (!(at >= served0)) served0 = at;
  }
  const late = Number.isNaN(served0) ? 'never' : `${Math.round(served0 - first.at)} ms after it was created`;
  console.log(`"${first.quiet}" created at t=${first.at / 1000}s, first served ${late}`);
  console.log(`${chalk.dim('origin queries/s')} ${chalk.cyan(sparkline(run.report.origin.perSecond))}`);
  console.log(chalk.dim('All figures measured in this run under the virtual clock; the same seed prints the same figures.'));
  return 0;
}
