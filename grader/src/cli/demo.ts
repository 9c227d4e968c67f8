/**
 * pnpm demo NN [--yours] [--seed N] [--fast]: plays one TTL boundary of the module's headline
 * scenario in the terminal, query by query, from a measured run (the reference by default).
 * pnpm demo 03 --processes N: the same fleet as N real processes on one Redis (fleet/demo.ts).
 */
import { fileURLToPath } from 'node:url';
import chalk from 'chalk';
import { runScenario, sparkline, type QueryRecord, type RunResult } from '@herd/harness/engine';
import { checksFor } from '../../checks/index.js';
import { demoProcesses } from '../fleet/demo.js';
import { isWatched, reportRan, rerunWatched } from '../isolated.js';
import { GraderError, describeLearnerError } from '../learner-error.js';
import { loadExports, mainFile } from '../load-learner.js';
import { requireModule } from '../manifest.js';
import type { Target } from '../types.js';
import { parseArgs } from './args.js';
import { main } from './main.js';

const pause = (msReal: number): Promise<void> => new Promise((r) => setTimeout(r, msReal));

main(async () => {
  const args = parseArgs(process.argv.slice(2), ['yours', 'fast'], ['seed', 'processes']);
  const spec = requireModule(args.positionals[0], 'usage: pnpm demo NN [--yours] [--seed N] [--fast], or pnpm demo 03 --processes N');
  if (args.values.has('processes')) {
    if (spec.id !== '03-distributed-lock') {
      throw new GraderError(`--processes is for module 03 only (a fleet of real processes on Redis); run \`pnpm demo ${spec.id.slice(0, 2)}\` without it`);
    }
    return demoProcesses(args);
  }
  const target: Target = args.flags.has('yours') ? 'starter' : 'solution';
  // Your code runs in a child process with a watchdog, so a loop that never awaits cannot hang the demo.
  if (target === 'starter' && !isWatched()) return rerunWatched(fileURLToPath(import.meta.url), process.argv.slice(2), mainFile(spec, target));
  const impl = await checksFor(spec.id);
  const seed = Number(args.values.get('seed') ?? 1);
  const scenario = impl.scenario(seed);
  let run: RunResult;
  try {
    const exports = await loadExports(spec, target);
    run = await runScenario(scenario, impl.app(exports), (await impl.runOptions?.(exports)) ?? {});
    reportRan();
  } catch (error) {
    console.error(chalk.red(describeLearnerError(error, mainFile(spec, target))));
    return 1;
  }
  const { report } = run;
  const live = process.stdout.isTTY && !args.flags.has('fast');
  const o = scenario.origin;
  console.log(chalk.bold(`${spec.id} ${spec.title}`) + chalk.dim(` (${target === 'solution' ? 'reference' : 'your code'}, seed ${seed})`));
  console.log(
    `${scenario.load.kind === 'closed' ? `${scenario.load.clients} clients` : 'load'} on one hot key, ${report.instances} instance(s), TTL ${scenario.ttlMs / 1000} s, ` +
      `origin ${o.latencyMs} ms${o.jitterMs ? ` + up to ${o.jitterMs}` : ''}, ${o.capacity ?? 'unlimited'} queries at once\n`,
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
    if (live) await pause(Math.min(250, (q.t - last) * 2));
    last = q.t;
    console.log(line(q, queries.indexOf(q) + 1));
  }
  if (live) await pause(400);
  console.log('');
  console.log(
    chalk.bold(`Origin queries at this boundary: ${b.queries}`) +
      ` (${b.misses} cache reads missed; ${b.requests} requests arrived while it lasted; their p99 ${Math.round(b.p99)} ms)`,
  );
  const herds = report.boundaries.map((x) => x.queries);
  console.log(`Every boundary of the minute: ${herds.join(', ')} origin queries`);
  console.log(`${chalk.dim('origin queries/s')} ${chalk.cyan(sparkline(report.origin.perSecond))}`);
  console.log(chalk.dim('All figures measured in this run under the virtual clock; the same seed prints the same figures.'));
  return 0;
});

function line(q: QueryRecord, i: number): string {
  const waited = q.queuedMs > 0 ? chalk.red(` after waiting ${Math.round(q.queuedMs)} ms for a free origin slot`) : '';
  return `t=${(q.t / 1000).toFixed(3)}s  ${q.instance}  miss -> origin query #${i}, answered in ${Math.round(q.durationMs)} ms${waited}`;
}
