/**
 * `pnpm demo 10`: the timeline played in the terminal. Load on one node rises from half its
 * capacity to three times it, then holds at 1.5x while the capacity halves. Without admission
 * control goodput falls to nothing the moment the queue outgrows the callers' patience and never
 * comes back; with it, goodput holds at capacity and follows the capacity down and up. Then the
 * goodput curve per load level, side by side, and what happened to each priority.
 */
import { meanOver } from '@herd/harness/engine';
import chalk from 'chalk';
import { terminalChart } from '../../src/charts/terminal-chart.js';
import { ms, n } from '../../src/check-kit.js';
import type { DemoContext } from '../../src/define.js';
import { chartOf, sides } from './headline.js';
import { CAPACITY, GOODPUT_SHARE, LEVELS, NODE, TIMELINE_FAULT, TIMELINE_STEPS, TIMEOUT_MS } from './scenarios.js';
import { table as layout, terminalWidth } from '../../src/render.js';

const pause = (msReal: number): Promise<void> => new Promise((r) => setTimeout(r, msReal));
const sec = (v: number): string => `${+(v / 1000).toFixed(1)} s`;

export async function demo(ctx: DemoContext): Promise<number> {
  const label = ctx.target === 'solution' ? 'shedding (reference)' : 'shedding (yours)';
  const [plain, shed] = await sides(ctx.exports, label, ctx.seed);
  ctx.ran?.();
  const width = terminalWidth();
  const say = async (line: string, wait = 600): Promise<void> => {
    console.log(line);
    if (ctx.live) await pause(wait);
  };
  const steps = TIMELINE_STEPS.map((s) => `${sec(s.fromMs)} ${s.load}x`).join(', ');
  await say(chalk.bold(`${ctx.def.id} ${ctx.def.title}`) + chalk.dim(` (${ctx.target === 'solution' ? 'reference' : 'your code'}, seed ${ctx.seed})`), 200);
  await say(
    `One node: ${NODE.workers} workers, ${NODE.meanServiceMs} ms per request on average, so about ${n(CAPACITY)} requests/s. Callers give up after ${sec(TIMEOUT_MS)}. ` +
      `Offered load: ${steps}; from ${sec(TIMELINE_FAULT.fromMs)} to ${sec(TIMELINE_FAULT.toMs)} every request takes twice as long (the capacity halves, nobody is told).\n`,
  );

  await say(chalk.yellow('No admission control: the node accepts everything.'));
  console.log(terminalChart(chartOf([plain!], 'no shedding: offered and goodput per 100 ms'), { width, height: 8 }));
  const collapse = plain!.levels.find((l) => l.load > 1)!;
  await say(
    `Past capacity the queue grows without end. At ${collapse.load}x the node still finished work all the time, yet goodput was ${n(Math.round(collapse.goodputPerSec))}/s: ` +
      `${n(collapse.timeouts)} callers timed out, and ${n(collapse.wasted)} answers were computed for callers who had already left.\n`,
    1200,
  );

  await say((ctx.target === 'solution' ? chalk.green : chalk.cyan)(`${label}: refuse at the door what the node cannot serve in time.`));
  console.log(terminalChart(chartOf([shed!], `${label}: offered and goodput per 100 ms`), { width, height: 8 }));
  const t = shed!.timeline;
  const during = meanOver(t.series.goodput, t.binMs, TIMELINE_FAULT.fromMs, TIMELINE_FAULT.toMs) * (1000 / t.binMs);
  const graded = shed!.fault.windows.filter((w) => w.capacity < CAPACITY);
  const worst = Math.min(...shed!.levels.filter((l) => l.load >= 1).map((l) => l.goodputPerSec));
  const held = worst >= GOODPUT_SHARE * CAPACITY;
  await say(
    `${held ? "Goodput stays at the node's capacity however much more arrives" : `Goodput fell to ${n(Math.round(worst))}/s at its worst level, short of ${n(GOODPUT_SHARE * CAPACITY)}/s`}. ` +
      `While the capacity halves it serves ${n(Math.round(during))}/s of the ${n(CAPACITY / 2)}/s left, with nothing reconfigured ` +
      `(the graded fault run: ${graded.map((w) => `${w.label}, ${n(Math.round(w.meanPerSec))}/s`).join('; ')}).\n`,
    1200,
  );

  console.log(chalk.bold('Goodput per second at each load level, same seed, same arrivals:'));
  const head = ['offered', ...LEVELS.map((l) => `${l}x`)];
  const rows = [plain!, shed!].map((s) => [s.label, ...s.levels.map((l) => n(Math.round(l.goodputPerSec)))]);
  const p99 = [plain!, shed!].map((s) => [`p99, ${s.label}`, ...s.levels.map((l) => (l.p99 === 0 ? '-' : ms(l.p99)))]);
  const table = [...rows, ...p99];
  const lines = layout(head, table).split('\n');
  const rule = lines.findIndex((l) => /^\S*-{3}/.test(l.replace(/\u001b\[[0-9;]*m/g, '')));
  for (const l of lines.slice(0, rule + 1)) console.log(l);
  for (const l of lines.slice(rule + 1)) await say(l, 250);

  const top = shed!.levels[shed!.levels.length - 1]!;
  const share = (p: 'high' | 'normal' | 'sheddable'): string => `${p} ${Math.round((100 * top.byPriority[p].good) / Math.max(1, top.byPriority[p].offered))}%`;
  await say(
    `\nAt ${top.load}x, ${label}: critical (health checks) ${top.critical.good} of ${top.critical.offered} served; ${share('high')}, ${share('normal')}, ${share('sheddable')}; ` +
      `${n(top.rejected)} refused at once${top.rejected === 0 ? '' : top.noRetryAfter === 0 ? ', each with a Retry-After' : ` (${n(top.noRetryAfter)} without a Retry-After)`}; ${n(top.timeouts)} timeouts.`,
  );
  console.log(chalk.dim('All figures measured in this run under the virtual clock; the same seed prints the same figures.'));
  return 0;
}
