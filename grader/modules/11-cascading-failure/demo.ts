/**
 * `pnpm demo 11`: the cascade as it happens, from measured runs. First with no layer: the fault,
 * each ejection and the collapse, event by event, then the timeline chart. Then the same
 * scenario with all layers: only the dead node leaves, and it comes back.
 */
import chalk from 'chalk';
import { terminalChart } from '../../src/charts/terminal-chart.js';
import type { DemoContext } from '../../src/define.js';
import { goodputPerSec } from './checks.js';
import { NO_LAYER, runFleet, yourFix, type FleetRun } from './fleet-run.js';
import { FIGURES, figuresOf, timeline } from './headline.js';
import { FLEET, HEALTH, NODE_CAPACITY, scenarioLabel } from './scenario.js';
import { table, terminalWidth } from '../../src/render.js';

const pause = (msReal: number): Promise<void> => new Promise((r) => setTimeout(r, msReal));
const t = (ms: number): string => `t=${(ms / 1000).toFixed(1)}s`;

async function play(ctx: DemoContext, title: string, run: FleetRun): Promise<void> {
  const r = run.result.report;
  console.log(chalk.bold(`\n${title}`));
  type Line = { at: number; text: string };
  const lines: Line[] = [
    { at: FLEET.failFromMs, text: chalk.red(`${FLEET.failedNode} dies (answers nothing); the other ${FLEET.nodes - 1} now get ${Math.round((100 * FLEET.ratePerSec) / ((FLEET.nodes - 1) * NODE_CAPACITY))}% of what they can serve`) },
    { at: FLEET.failToMs, text: chalk.green(`${FLEET.failedNode} is back up`) },
  ];
  let healthy = FLEET.nodes;
  for (const e of r.balancer.events) {
    healthy += e.event === 'ejected' ? -1 : 1;
    const who = e.node === FLEET.failedNode && e.faulted ? `${e.node} (dead)` : e.faulted ? e.node : `${e.node} (alive)`;
    const what = e.event === 'ejected' ? chalk.yellow(`ejected ${who}`) : `took back ${e.node}`;
    const bin = Math.floor(e.t / r.binMs);
    const good = goodputPerSec(r, Math.max(0, e.t - 1000), e.t);
    lines.push({ at: e.t, text: `${what}: ${healthy} healthy, ${r.series.queue[bin] ?? 0} queued, goodput ${good}/s (last 1 s)` });
    if (healthy === 0) lines.push({ at: e.t, text: chalk.red.bold('no node left: every request is answered 503') });
  }
  lines.sort((a, b) => a.at - b.at);
  const shown = lines.length > 30 ? [...lines.slice(0, 24), undefined, ...lines.slice(-4)] : lines;
  let last = 0;
  for (const line of shown) {
    if (line === undefined) {
      console.log(chalk.dim(`         ... ${lines.length - 28} more ejections and returns: the nodes flap ...`));
      continue;
    }
    if (ctx.live) await pause(Math.min(600, (line.at - last) / 8));
    last = line.at;
    console.log(`${t(line.at).padEnd(8)} ${line.text}`);
  }
  if (ctx.live) await pause(400);
}

export async function demo(ctx: DemoContext): Promise<number> {
  const none = await runFleet(ctx.exports, ctx.seed, NO_LAYER);
  const fixed = await runFleet(ctx.exports, ctx.seed, yourFix(ctx.exports));
  ctx.ran?.();
  const who = ctx.target === 'solution' ? 'reference' : 'your code';
  console.log(chalk.bold(`${ctx.def.id} ${ctx.def.title}`) + chalk.dim(` (${who}, seed ${ctx.seed})`));
  console.log(
    `${scenarioLabel(ctx.seed)}. Clients give up after ${FLEET.clientTimeoutMs} ms. The balancer checks every node every ${HEALTH.intervalMs} ms, ` +
      `gives a check ${HEALTH.timeoutMs} ms, ejects after ${HEALTH.unhealthyThreshold} failures in a row and takes a node back after ${HEALTH.healthyThreshold} passes.`,
  );
  await play(ctx, 'No layer: health checks queued behind the work, no shedding, no panic threshold, no cap', none);
  await play(ctx, `All layers (${ctx.target === 'solution' ? 'the reference' : 'your nodeSettings()'}, panic 50%, cap 10%)`, fixed);
  const width = terminalWidth();
  console.log('');
  console.log(terminalChart(timeline([{ label: 'no layer', run: none }, { label: 'all layers', run: fixed }], 'healthy nodes and goodput per 100 ms'), { width }));
  console.log('');
  const a = figuresOf(none);
  const b = figuresOf(fixed);
  console.log(table(['', 'no layer', 'all layers'], FIGURES.map((f, i) => [f, a[i]!, b[i]!])));
  console.log(chalk.dim('\nAll figures measured in these runs under the virtual clock; the same seed prints the same figures. pnpm grade 11 shows each layer alone.'));
  return 0;
}
