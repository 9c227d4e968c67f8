/**
 * `pnpm demo 12`: the timeline of the metastable pin and of the fix, from measured runs: the
 * trigger, the goodput that does not come back, the retries that keep it down, then the same
 * scenario with the three layers, and the figures of each layer alone.
 */
import chalk from 'chalk';
import { terminalChart } from '../../src/charts/terminal-chart.js';
import type { DemoContext } from '../../src/define.js';
import { renderHeadline, terminalWidth } from '../../src/render.js';
import { headline, bands } from './headline.js';
import { ALL, NONE, runMeta, type MetaRun } from './run.js';
import { META, triggerLabel } from './scenarios.js';

const pause = (msReal: number): Promise<void> => new Promise((r) => setTimeout(r, msReal));
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const secs = (ms: number | null): string => (ms === null ? 'never' : `${+(ms / 1000).toFixed(1)} s`);

function chartOf(run: MetaRun, title: string, width: number): string {
  const s = run.result.report.series;
  return terminalChart(
    {
      title,
      yLabel: 'per 100 ms',
      binMs: 100,
      series: [
        { name: 'offered', values: s.offered },
        { name: 'goodput', values: s.goodput },
        { name: 'retries', values: s.retries },
      ],
      bands: bands(),
    },
    { width, height: 10 },
  );
}

export async function demo(ctx: DemoContext): Promise<number> {
  const pinned = await runMeta(ctx.exports, ctx.seed, NONE);
  const fixed = await runMeta(ctx.exports, ctx.seed, ALL);
  const table = await headline({ seed: ctx.seed, target: ctx.target, exports: ctx.exports, label: ctx.target === 'solution' ? 'reference' : 'yours' });
  ctx.ran?.();
  const width = terminalWidth();
  const step = async (ms: number): Promise<void> => {
    if (ctx.live) await pause(ms);
  };
  const p = pinned.figures;
  const f = fixed.figures;
  console.log(chalk.bold(`${ctx.def.id} ${ctx.def.title}`) + chalk.dim(` (${ctx.target === 'solution' ? 'reference' : 'your code'}, seed ${ctx.seed})`));
  console.log(
    `One service, ${META.workers} workers, ${META.capacityPerSec} requests/s at most; ${META.loadPerSec} requests/s arrive (80%). Callers give up after ${META.timeoutMs} ms ` +
      `and retry: ${META.maxAttempts} attempts, ${META.backoffMs} ms apart.\n`,
  );
  const t = (ms: number): string => `t=${ms / 1000}s`;
  const { trigger, stall, blips } = META;
  await step(800);
  console.log(chalk.yellow(`${t(trigger.fromMs).padEnd(6)} the trigger: ${triggerLabel('slow')} for 10 s. Capacity drops below the load; the queue fills; answers come after the callers gave up.`));
  await step(800);
  console.log(chalk.yellow(`${t(trigger.toMs).padEnd(6)} the trigger ends. The service is as fast as before. Goodput does not come back:`));
  await step(600);
  console.log(
    `       goodput ${pct(p.after)} of offered for the next ${(stall.fromMs - trigger.toMs) / 1000} s, ${p.amplification.toFixed(2)} attempts per request. ` +
      `Each timeout sends a retry, the retries keep the queue full, and the full queue makes every answer late.\n`,
  );
  await step(600);
  console.log(chartOf(pinned, 'immediate retries: offered, goodput, retries', width));
  await step(1200);
  console.log(
    chalk.dim(
      `\nThe blips at ${t(blips.fromMs)} and the ${(stall.toMs - stall.fromMs) / 1000} s stall at ${t(stall.fromMs)} change nothing: it is still pinned when the run ends, ${(META.durationMs - trigger.toMs) / 1000} s after the trigger.\n`,
    ),
  );
  await step(800);
  console.log(chalk.green(`Now the same run with the three layers: a 503 gate that drops expired work, a retry budget, adaptive throttling.`));
  await step(600);
  console.log(chartOf(fixed, 'gate + budget + throttle: offered, goodput, retries', width));
  console.log(
    `\ngoodput ${pct(f.during)} of offered during the trigger (the service can do ${pct(META.capacityPerSec / 2 / META.loadPerSec)} of it), recovered ${secs(f.recoveryMs)} after it, ` +
      `${secs(f.stallRecoveryMs)} after the stall; ${f.amplification.toFixed(2)} attempts per request.\n`,
  );
  await step(800);
  console.log(chalk.bold('Each layer alone, and together (same scenario, same seed):'));
  console.log(renderHeadline({ ...table, runs: table.runs.map(({ label, values }) => ({ label, values })) }).split('\n').slice(1).join('\n'));
  console.log(chalk.dim('\nAll figures measured in these runs under the virtual clock; the same seed prints the same figures.'));
  return 0;
}
