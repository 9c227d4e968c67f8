/**
 * `pnpm demo 09`: the outage played in the terminal. Every client's first request meets a dead
 * service; with exponential backoff they all come back in the same 100 ms, again and again,
 * and hit the service together the moment it returns; with full jitter they arrive as a steady
 * trickle. Then every strategy's figures, and Brooker's contention model next to AWS's re-run.
 */
import chalk from 'chalk';
import { terminalChart } from '../../src/charts/terminal-chart.js';
import type { DemoContext } from '../../src/define.js';
import { chartOf, runAll } from './headline.js';
import { AFTER, ATTEMPT_TIMEOUT_MS, AWS_ANCHOR, OUTAGE, RECOVERY_BACKOFF, recovery } from './scenarios.js';
import { table, terminalWidth } from '../../src/render.js';

const pause = (msReal: number): Promise<void> => new Promise((r) => setTimeout(r, msReal));
const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export async function demo(ctx: DemoContext): Promise<number> {
  const spec = recovery(ctx.seed);
  const runs = await runAll(ctx.exports, ctx.seed);
  ctx.ran?.();
  const width = terminalWidth();
  const say = async (line: string, ms = 600): Promise<void> => {
    console.log(line);
    if (ctx.live) await pause(ms);
  };
  await say(chalk.bold(`${ctx.def.id} ${ctx.def.title}`) + chalk.dim(` (${ctx.target === 'solution' ? 'reference' : 'your code'}, seed ${ctx.seed})`), 200);
  await say(
    `${spec.name}: every client sends one request between ${sec(OUTAGE.fromMs)} and ${sec(OUTAGE.fromMs + 100)}, into a service that is down until ${sec(OUTAGE.toMs)}. ` +
      `Each attempt times out after ${ATTEMPT_TIMEOUT_MS} ms; retries wait base ${RECOVERY_BACKOFF.baseMs} ms, cap ${RECOVERY_BACKOFF.capMs} ms.\n`,
  );
  const exp = runs.find((r) => r.name === 'exponential')!;
  const full = runs.find((r) => r.name === 'fullJitter')!;
  await say(chalk.yellow('Exponential backoff, no jitter: the clients failed together, so they wait the same and retry together.'));
  console.log(terminalChart(chartOf([exp], 'exponential: attempts per 100 ms'), { width, height: 8 }));
  await say(
    `At ${sec(OUTAGE.toMs)} the service is back, and the next wave lands on it at once: ${exp.recovery.peak.toLocaleString('en-US')} attempts in one 100 ms bin, ` +
      `${exp.recovery.ratio.toFixed(1)}x the mean over the ${sec(AFTER.toMs - AFTER.fromMs)} after the return.\n`,
    1200,
  );
  await say(chalk.green('Full jitter: each client draws its own wait in [0, ceiling).'));
  console.log(terminalChart(chartOf([full], 'full jitter: attempts per 100 ms'), { width, height: 8 }));
  await say(`The busiest 100 ms after the return holds ${full.recovery.peak} attempts, ${full.recovery.ratio.toFixed(2)}x the mean: no wave.\n`, 1200);

  console.log(chalk.bold('Every strategy on the same outage and on Brooker\'s contention model (100 clients, base 5 ms, cap 2 s):'));
  const head = ['', 'outage attempts', 'all answered', 'peak/mean', 'contention calls', 'completion', "AWS's re-run"];
  const rows = runs.map((r) => [
    r.label,
    r.recovery.attempts.toLocaleString('en-US'),
    r.recovery.ok === r.recovery.result.report.totals.offered ? sec(r.recovery.doneAtMs) : `${r.recovery.ok.toLocaleString('en-US')} of ${r.recovery.result.report.totals.offered.toLocaleString('en-US')} ok`,
    r.recovery.mean > 0 ? r.recovery.ratio.toFixed(2) : '-',
    r.contention.calls.toLocaleString('en-US'),
    sec(r.contention.completionMs),
    `${AWS_ANCHOR[r.name].calls.toLocaleString('en-US')} / ${sec(AWS_ANCHOR[r.name].completionMs)}`,
  ]);
  // Laid out to fit the terminal: the widest columns wrap.
  const lines = table(head, rows).split('\n');
  const rule = lines.findIndex((l) => /^\S*-{3}/.test(l.replace(/\u001b\[[0-9;]*m/g, '')));
  for (const l of lines.slice(0, rule + 1)) console.log(l);
  for (const l of lines.slice(rule + 1)) await say(l, 250);
  console.log(chalk.dim("AWS's column is their published re-run of the simulator (a different model: see the README), quoted for comparison."));
  console.log(chalk.dim('All other figures measured in this run under the virtual clock; the same seed prints the same figures.'));
  return 0;
}
