/**
 * pnpm demo NN [--yours] [--seed N] [--fast], plus whatever the module's demo takes (03:
 * --processes N). Plays the module in the terminal from a measured run of the reference, or of
 * your code with --yours (in a watched child process, so a loop that never awaits cannot hang it).
 */
import { fileURLToPath } from 'node:url';
import chalk from 'chalk';
import { headlineTable } from '../headline.js';
import { isWatched, reportRan, rerunWatched } from '../isolated.js';
import { GraderError, describeLearnerError } from '../learner-error.js';
import { loadExports, mainFile } from '../load-learner.js';
import { manifest, requireModule } from '../manifest.js';
import type { Target } from '../types.js';
import { parseArgs, parseSeed } from './args.js';
import { main } from './main.js';

const USAGE = 'usage: pnpm demo NN [--yours] [--seed N] [--fast]';

main(async () => {
  const extraFlags = [...new Set(manifest.flatMap((m) => m.demoOptions?.flags ?? []))];
  const extraValues = [...new Set(manifest.flatMap((m) => m.demoOptions?.values ?? []))];
  const args = parseArgs(process.argv.slice(2), ['yours', 'fast', ...extraFlags], ['seed', ...extraValues]);
  const def = requireModule(args.positionals[0], USAGE);
  // An option another module's demo takes is refused by name here.
  const own = new Set([...(def.demoOptions?.flags ?? []), ...(def.demoOptions?.values ?? [])]);
  const stray = [...args.flags, ...args.values.keys()].find((k) => ![ 'yours', 'fast', 'seed'].includes(k) && !own.has(k));
  if (stray !== undefined) {
    const owner = manifest.find((m) => [...(m.demoOptions?.flags ?? []), ...(m.demoOptions?.values ?? [])].includes(stray));
    throw new GraderError(`--${stray} is for module ${owner?.id.slice(0, 2) ?? '?'}'s demo${owner?.demoOptions?.usage ? ` (${owner.demoOptions.usage})` : ''}; run \`pnpm demo ${def.id.slice(0, 2)}\` without it`);
  }
  if (def.demo === undefined) throw new GraderError(`module ${def.id} has no demo yet`);
  const seed = parseSeed(args.values.get('seed'));
  const target: Target = args.flags.has('yours') ? 'starter' : 'solution';
  const file = mainFile(def, target);
  // Your code runs in a child process with a watchdog, so a loop that never awaits cannot hang
  // the demo. A demo of real processes watches its own children.
  if (target === 'starter' && !isWatched() && !args.values.has('processes')) return rerunWatched(fileURLToPath(import.meta.url), process.argv.slice(2), file);
  // Whatever the learner's code leaves unhandled while the demo plays is one line naming the
  // file, never a stack dump from the demo.
  const leftUnhandled = (error: unknown): void => {
    console.error(chalk.red(`${describeLearnerError(error, file)} (outside any awaited call: a promise nothing handled, or a throw from a callback)`));
    process.exit(1);
  };
  process.on('unhandledRejection', leftUnhandled);
  process.on('uncaughtException', leftUnhandled);
  let exports: Record<string, unknown>;
  try {
    exports = await loadExports(def, target);
  } catch (error) {
    console.error(chalk.red(describeLearnerError(error, file)));
    return 1;
  }
  try {
    return await def.demo({
      def,
      target,
      seed,
      exports,
      file,
      live: process.stdout.isTTY === true && !args.flags.has('fast'),
      flags: args.flags,
      values: args.values,
      ran: reportRan,
      headline: () => headlineTable(def, target, seed),
    });
  } catch (error) {
    if (error instanceof GraderError) throw error;
    console.error(chalk.red(describeLearnerError(error, file)));
    return 1;
  }
});
