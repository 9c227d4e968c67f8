/**
 * `pnpm demo 04`: the first expiry after the cold start, twice on the identical fleet run: with
 * module 03's lock (everyone waits for the rebuild) and with this module's code (everyone gets
 * the stale value while one refresh runs); then the minute, and the 20 s outage. Every figure is
 * measured in these runs.
 */
import chalk from 'chalk';
import type { RunResult } from '@herd/harness/engine';
import { runApp } from '../../src/cache/run-app.js';
import { ms, n } from '../../src/check-kit.js';
import type { DemoContext } from '../../src/define.js';
import { HOT_ORIGIN, fleetHotKey } from '../../src/scenarios.js';
import { loadExports } from '../../src/load-learner.js';
import lockModule from '../03-distributed-lock/module.js';
import { lockApp } from '../03-distributed-lock/app.js';
import { swrCacheApp } from './app.js';
import { STORE_LATENCY } from './checks.js';
import { OUTAGE, SWR, fleetOutage } from './scenarios.js';

const pause = (msReal: number): Promise<void> => new Promise((r) => setTimeout(r, msReal));
const sec = (t: number): string => `t=${(t / 1000).toFixed(3)}s`;

export async function demoSwr(ctx: DemoContext): Promise<number> {
  const spec = fleetHotKey(ctx.seed);
  const lock = await loadExports(lockModule, 'solution');
  const options = { storeLatencyMs: STORE_LATENCY, allowFailures: true };
  const before = await runApp((e) => lockApp(e, options), lock, spec, options);
  const after = await runApp((e) => swrCacheApp(e, options), ctx.exports, spec, options);
  const outage = await runApp((e) => swrCacheApp(e, options), ctx.exports, fleetOutage(ctx.seed), options);
  ctx.ran?.();

  console.log(chalk.bold(`${ctx.def.id} ${ctx.def.title}`) + chalk.dim(` (${ctx.target === 'solution' ? 'reference' : 'your code'}, seed ${ctx.seed})`));
  console.log(
    `4 instances x 250 clients on one hot key, TTL (soft) ${spec.ttlMs / 1000} s, hard ${SWR.hardTtlMs / 1000} s, origin ${HOT_ORIGIN.latencyMs} ms + up to ${HOT_ORIGIN.jitterMs}, store round trips 1-4 ms\n`,
  );
  await expiry(ctx, '03 lock', before, 'expires', 'takes the lock and rebuilds');
  await expiry(ctx, '04 stale-while-revalidate', after, 'goes stale', 'claims the refresh');

  const later = (r: RunResult): string => `${Math.round(Math.max(0, ...r.report.boundaries.slice(1).map((b) => b.p99)))} ms`;
  console.log(chalk.bold('The whole minute'));
  for (const [label, r] of [['03 lock', before], ['04 yours', after]] as const) {
    const shown = ctx.target === 'solution' ? label.replace('yours', 'reference') : label;
    console.log(
      `  ${shown.padEnd(14)} origin queries per expiry ${r.report.boundaries.map((b) => b.queries).join(', ')}; p99 at later expiries ${later(r)}; oldest value served ${(r.report.freshness.maxAgeMs / 1000).toFixed(1)} s`,
    );
  }
  const failed = outage.report.failures;
  const attempts = outage.origin.log.filter((q) => q.t >= OUTAGE.fromMs && q.t < OUTAGE.toMs).length;
  console.log(
    `\n${chalk.bold(`Origin down from ${OUTAGE.fromMs / 1000} s to ${OUTAGE.toMs / 1000} s`)}: ${n(outage.report.requests)} requests, ${failed === 0 ? chalk.green('0 failed') : chalk.red(`${n(failed)} failed`)}, ` +
      `${attempts} origin queries while it was down (want each ${SWR.retryMs} ms after the failure before it), oldest value served ${(outage.report.freshness.maxAgeMs / 1000).toFixed(1)} s`,
  );
  console.log(chalk.dim('All figures measured in these runs under the virtual clock; the same seed prints the same figures.'));
  return 0;
}

async function expiry(ctx: DemoContext, label: string, r: RunResult, verb: string, action: string): Promise<void> {
  const b = r.report.boundaries[1];
  console.log(chalk.bold(label));
  if (b === undefined) {
    console.log('  no origin query after the cold start: nothing to show\n');
    return;
  }
  const who = `i${b.byInstance.findIndex((x) => x > 0)}`;
  const doing = b.queries === 1 ? `${who} ${action} (1 origin query, ${ms(b.end - b.start)})` : `the fleet sends ${b.queries} origin queries over ${ms(b.end - b.start)}`;
  console.log(chalk.yellow(`  ${sec(b.start)}  the value ${verb}; ${doing}`));
  if (ctx.live) await pause(400);
  const { served } = r;
  const lat: number[] = [];
  const versions = new Map<number, number>();
  for (let i = 0; i < served.n; i++) {
    const s = served.start[i]!;
    if (s < b.start || s > b.end) continue;
    lat.push(served.latency[i]!);
    versions.set(served.version[i]!, (versions.get(served.version[i]!) ?? 0) + 1);
  }
  lat.sort((x, y) => x - y);
  const p99 = lat.length === 0 ? 0 : lat[Math.min(lat.length - 1, Math.ceil(0.99 * lat.length) - 1)]!;
  const sorted = [...versions.entries()].sort((x, y) => x[0] - y[0]);
  const got =
    sorted.length <= 3
      ? sorted.map(([v, c]) => `${c} got version ${v}`).join(', ')
      : `they got ${sorted.length} different versions, ${sorted[0]![0]} to ${sorted[sorted.length - 1]![0]}`;
  console.log(`  ${lat.length} requests arrived meanwhile: ${got}; their p99 ${chalk.bold(ms(p99))}, slowest ${ms(lat[lat.length - 1] ?? 0)}`);
  console.log(`  ${sec(b.end)}  the new value lands\n`);
  if (ctx.live) await pause(400);
}
