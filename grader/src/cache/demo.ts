/**
 * `pnpm demo NN` for a cache module: plays the first TTL boundary after the cold start of the
 * module's headline scenario, query by query, from a measured run, then the whole minute.
 */
import chalk from 'chalk';
import { sparkline, type QueryRecord, type ScenarioSpec } from '@herd/harness/engine';
import { terminalChart } from '../charts/terminal-chart.js';
import { paragraph, terminalWidth } from '../render.js';
import type { DemoContext } from '../define.js';
import { runApp } from './run-app.js';

const pause = (msReal: number): Promise<void> => new Promise((r) => setTimeout(r, msReal));

export function cacheDemo(scenario: (seed: number) => ScenarioSpec) {
  return async (ctx: DemoContext): Promise<number> => {
    const spec = scenario(ctx.seed);
    const run = await runApp(ctx.def.app, ctx.exports, spec);
    ctx.ran?.();
    const { report } = run;
    const o = spec.origin;
    console.log(chalk.bold(`${ctx.def.id} ${ctx.def.title}`) + chalk.dim(` (${ctx.target === 'solution' ? 'reference' : 'your code'}, seed ${ctx.seed})`));
    console.log(
      paragraph(
        `${spec.load.kind === 'closed' ? `${spec.load.clients} clients` : 'load'} on one hot key, ${report.instances} instance(s), TTL ${spec.ttlMs / 1000} s, ` +
          `origin ${o.latencyMs} ms${o.jitterMs ? ` + up to ${o.jitterMs}` : ''}, ${o.capacity ?? 'unlimited'} queries at once`,
        0,
      ) + '\n',
    );
    // The first boundary after the cold start is the one a TTL expiry causes.
    const b = report.boundaries[1] ?? report.boundaries[0];
    if (b === undefined) {
      console.log('No origin queries at all: nothing to show.');
      return 0;
    }
    console.log(chalk.yellow(`t=${(b.start / 1000).toFixed(3)}s  the cached value expires; requests keep arriving...`));
    const queries = run.origin.log.filter((q) => q.key === b.key && q.t >= b.start && q.t <= b.end);
    const shown = queries.length > 24 ? [...queries.slice(0, 20), undefined, ...queries.slice(-3)] : queries;
    let last = b.start;
    for (const q of shown) {
      if (q === undefined) {
        console.log(chalk.dim(`           ... ${queries.length - 23} more misses, each its own origin query ...`));
        continue;
      }
      if (ctx.live) await pause(Math.min(250, (q.t - last) * 2));
      last = q.t;
      console.log(line(q, queries.indexOf(q) + 1));
    }
    if (ctx.live) await pause(400);
    console.log('');
    console.log(
      paragraph(
        chalk.bold(`Origin queries at this boundary: ${b.queries}`) +
          ` (${b.misses} cache reads missed; ${b.requests} requests arrived while it lasted; their p99 ${Math.round(b.p99)} ms)`,
        2,
      ),
    );
    const herds = report.boundaries.map((x) => x.queries);
    console.log(`Every boundary of the minute: ${herds.join(', ')} origin queries`);
    const table = await ctx.headline?.();
    if (table?.chart && table.runs.length > 1) {
      // Before and after on one axis: the herd next to what this module's layer leaves of it.
      console.log('');
      console.log(terminalChart(table.chart, { width: terminalWidth(), height: 8 }));
    } else {
      console.log(`${chalk.dim('origin queries/s')} ${chalk.cyan(sparkline(report.origin.perSecond))}`);
    }
    console.log(chalk.dim(paragraph('All figures measured in this run under the virtual clock; the same seed prints the same figures.', 0)));
    return 0;
  };
}

function line(q: QueryRecord, i: number): string {
  const waited = q.queuedMs > 0 ? chalk.red(` (${Math.round(q.queuedMs)} ms queued for a slot)`) : '';
  return `t=${(q.t / 1000).toFixed(3)}s  ${q.instance}  miss: origin query #${i}, ${Math.round(q.durationMs)} ms${waited}`;
}
