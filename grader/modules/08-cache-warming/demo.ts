/**
 * `pnpm demo 08`: the cutover second by second, from measured runs. First the cold one (no
 * warming, the cutover at the instant the gate opens below): the origin's queue, the failures.
 * Then the same load warmed: keys warmed, the hit rate on the latest live keys, the gate opening.
 */
import chalk from 'chalk';
import { sharedScale, sparkline } from '@herd/harness/engine';
import { n } from '../../src/check-kit.js';
import type { DemoContext } from '../../src/define.js';
import type { CutoverRun } from './app.js';
import { coldRun, mainRun } from './checks.js';
import { perSecond, warmQueries } from './measure.js';
import { ORIGIN, WARM, cutoverSpec } from './scenarios.js';

const pause = (msReal: number): Promise<void> => new Promise((r) => setTimeout(r, msReal));

function failedIn(r: CutoverRun, from: number, to: number): number {
  const { served } = r.result;
  let c = 0;
  for (let i = 0; i < served.n; i++) if (served.ok[i] !== 1 && served.start[i]! >= from && served.start[i]! < to) c++;
  return c;
}

export async function demo(ctx: DemoContext): Promise<number> {
  const warmed = await mainRun(ctx.exports, ctx.seed);
  ctx.ran?.();
  const spec = cutoverSpec(ctx.seed);
  const cutAt = warmed.cutAt ?? spec.durationMs;
  const cold = await coldRun(ctx.seed, cutAt);
  const slots = Math.max(1, Math.floor(ORIGIN.capacity * WARM.warmShare));
  console.log(chalk.bold(`${ctx.def.id} ${ctx.def.title}`) + chalk.dim(` (${ctx.target === 'solution' ? 'reference' : 'your code'}, seed ${ctx.seed})`));
  console.log(`1,000 reads/s over 5,000 keys; origin ${ORIGIN.capacity} slots of 20-30 ms, timeout ${ORIGIN.timeoutMs} ms;`);
  console.log(`warming may take ${slots} slots; the gate wants ${WARM.threshold} of a shadow sample.\n`);

  const coldSec = perSecond(cold);
  console.log(chalk.bold(`Cold: every read moves to the empty tier at t=${(cutAt / 1000).toFixed(1)}s`));
  for (let s = Math.floor(cutAt / 1000); s < Math.min(coldSec.length, Math.floor(cutAt / 1000) + 6); s++) {
    if (ctx.live) await pause(250);
    const f = failedIn(cold, s * 1000, s * 1000 + 1000);
    console.log(`t=${String(s).padStart(2)}s  origin ${String(coldSec[s]).padStart(4)}/s  ${f > 0 ? chalk.red(`${n(f)} reads failed`) : chalk.green('no failures')}`);
  }

  console.log('');
  console.log(chalk.bold('Warmed: hottest keys first, then the gate'));
  const wq = warmQueries(warmed);
  const sec = perSecond(warmed);
  for (let s = 1; s < Math.min(sec.length, Math.floor(cutAt / 1000) + 4); s++) {
    if (ctx.live) await pause(250);
    const t = s * 1000;
    const done = wq.filter((q) => q.outcome === 'ok' && q.t + q.durationMs <= t).length;
    const poll = [...warmed.polls].reverse().find((p) => p.t <= t);
    const f = failedIn(warmed, t - 1000, t);
    const state = warmed.cutAt !== undefined && warmed.cutAt <= t ? chalk.green('cut over') : chalk.yellow('gate closed');
    console.log(
      `t=${String(s).padStart(2)}s  ${n(done).padStart(5)} keys warmed  hit rate ${(poll?.rate ?? 0).toFixed(2)}  origin ${String(sec[s - 1]).padStart(4)}/s  ${state}${f > 0 ? chalk.red(`  ${n(f)} failed`) : ''}`,
    );
  }
  if (ctx.live) await pause(400);
  console.log('');
  if (warmed.cutAt === undefined) console.log(chalk.red('The gate never opened in this run.'));
  else console.log(chalk.bold(`The gate opened at t=${(warmed.cutAt / 1000).toFixed(1)}s on a sample hitting ${(warmed.rateAtOpen ?? 0).toFixed(2)}.`));
  const top = sharedScale([coldSec, sec]);
  console.log(`${chalk.dim('cold   ')} ${chalk.red(sparkline(coldSec, 60, top))}`);
  console.log(`${chalk.dim('warmed ')} ${chalk.cyan(sparkline(sec, 60, top))}`);
  console.log(chalk.dim('origin queries/s. Measured under the virtual clock; the same seed prints the same figures.'));
  return 0;
}
