/**
 * `pnpm demo 13`: the store outage as it happened in a measured run: the store going quiet, the
 * first timeouts, the breaker opening (seen as requests no longer calling the store), each round
 * of probes, the store coming back, the breaker closing; then the timeline chart and the three
 * read paths side by side.
 */
import chalk from 'chalk';
import { terminalChart } from '../../src/charts/terminal-chart.js';
import { at, n } from '../../src/check-kit.js';
import type { DemoContext } from '../../src/define.js';
import { FIGURES, timelineChart, variants } from './headline.js';
import { answers, closedAfter, openedAfter, outsideCalls } from './measure.js';
import { BREAKER, OUTAGE, WORLD } from './world.js';
import { table, terminalWidth } from '../../src/render.js';

const pause = (msReal: number): Promise<void> => new Promise((r) => setTimeout(r, msReal));

export async function demo(ctx: DemoContext): Promise<number> {
  const yours = ctx.target === 'solution' ? '' : ' (yours)';
  const list = await variants(ctx.exports, ctx.seed, yours);
  ctx.ran?.();
  const run = list[2]!.run;
  const F = OUTAGE.fromMs;
  const R = OUTAGE.toMs;
  const say = async (t: number | null, text: string, wait = 350): Promise<void> => {
    if (ctx.live) await pause(wait);
    console.log(`${t === null ? '         ' : at(t).padEnd(9)} ${text}`);
  };

  console.log(chalk.bold(`${ctx.def.id} ${ctx.def.title}`) + chalk.dim(` (${ctx.target === 'solution' ? 'reference' : 'your code'}, seed ${ctx.seed})`));
  console.log(
    `${WORLD.ratePerSec} requests/s read through the store (${WORLD.store.timeoutMs} ms timeout) to a database of ${WORLD.origin.workers} workers; ` +
      `${WORLD.staleKeys} of ${WORLD.keys} keys have an older copy in memory.\n` +
      `Breaker: last ${BREAKER.windowSize} calls, opens at ${BREAKER.failureRate * 100}% failures (after ${BREAKER.minCalls}), open ${BREAKER.openMs / 1000} s, ${BREAKER.halfOpenProbes} probes.\n`,
  );

  await say(F, chalk.red('the store stops answering; every call now waits its timeout'));
  await say(F + WORLD.store.timeoutMs, `the first calls time out after ${WORLD.store.timeoutMs} ms`);
  const opened = openedAfter(run, F, R);
  if (opened === null) {
    const c = outsideCalls(run, F, R);
    const why =
      c.total > 0 && c.outside >= 0.5 * c.total
        ? `requests kept calling the store: ${n(c.outside)} of its ${n(c.total)} calls during the outage came from outside breaker.call, where no breaker can refuse them`
        : `the breaker never opened: ${n(run.storeTimeouts)} store calls waited out the timeout during the outage`;
    await say(null, chalk.red(why));
    await say(R, chalk.green('the store is back'));
  } else {
    const a = answers(run, F + opened, R);
    await say(F + opened, chalk.yellow(`the breaker opens: requests stop calling the store`));
    await say(null, `  from here to the end of the outage: ${n(a.servedStale)} served stale, ${n(a.servedByOrigin)} by the database (at most ${WORLD.originLimit} at once), ${n(a.failed)} shed`);
    // Probe rounds: store calls after the breaker opened, in bursts.
    let last = -Infinity;
    let back = false;
    const bins = Math.floor(OUTAGE.durationMs / run.binMs);
    for (let b = Math.floor((F + opened + WORLD.store.timeoutMs) / run.binMs); b < bins; b++) {
      const t = b * run.binMs;
      if (!back && t >= R) {
        back = true;
        await say(R, chalk.green('the store is back; the breaker does not know yet'));
      }
      const calls = run.storeCalls[b]!;
      if (calls === 0 || t - last <= WORLD.store.timeoutMs) {
        if (calls > 0) last = t;
        continue;
      }
      last = t;
      if (t < R) {
        await say(t, `half-open: ${calls} probe${calls === 1 ? '' : 's'} to the store ${chalk.red(`time out (${WORLD.store.timeoutMs} ms): open again`)}`, 200);
        continue;
      }
      await say(t, `half-open: probes to the store ${chalk.green('answer')}`, 200);
      break;
    }
    const closed = closedAfter(run, R, OUTAGE.durationMs);
    await say(closed === null ? null : R + closed, closed === null ? chalk.red('the breaker never closed again') : chalk.green('the breaker is closed: every request reads the store again'));
  }
  console.log('');
  const width = terminalWidth();
  console.log(terminalChart(timelineChart(list, `the store down from ${F / 1000} s to ${R / 1000} s (seed ${ctx.seed})`), { width, height: 10 }));
  console.log('');
  console.log(table(['', ...list.map((v) => v.label)], FIGURES.map((f) => [f.name, ...list.map((v) => f.value(v.run))])));
  console.log(chalk.dim('\nAll figures measured in these runs under the virtual clock; the same seed prints the same figures.'));
  console.log(chalk.dim('Open and close are seen from outside: the first 100 ms in which requests skipped the store, and the first from which all of them reached it again.'));
  return 0;
}
