/** pnpm solution NN [--force]: the diff from the learner's files to the reference, once the module passes. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import { createTwoFilesPatch } from 'diff';
import { repoRoot } from '@herd/harness/engine';
import { gradeIsolated } from '../isolated.js';
import { learnerPath } from '../load-learner.js';
import { requireModule } from '../manifest.js';
import { recordGrade } from '../progress.js';
import { parseArgs } from './args.js';
import { main } from './main.js';

main(async () => {
  const args = parseArgs(process.argv.slice(2), ['force']);
  const spec = requireModule(args.positionals[0], 'usage: pnpm solution NN [--force]');
  if (!args.flags.has('force')) {
    const result = await gradeIsolated(spec, 'starter');
    recordGrade(spec, result.status);
    if (result.status !== 'pass') {
      const failing = result.checks.filter((c) => c.status !== 'pass').map((c) => c.name);
      console.log(`${spec.id} does not pass yet (${failing.join(', ')}): the reference stays hidden until it does.`);
      console.log(chalk.dim(`Try pnpm hint ${spec.id.slice(0, 2)}, or pnpm solution ${spec.id.slice(0, 2)} --force to see it anyway.`));
      return 1;
    }
  }
  for (const file of Object.keys(spec.files)) {
    const mine = learnerPath(spec, 'starter', file);
    const ref = learnerPath(spec, 'solution', file);
    const read = (rel: string): string => (existsSync(path.join(repoRoot, rel)) ? readFileSync(path.join(repoRoot, rel), 'utf8') : '');
    const patch = createTwoFilesPatch(mine, ref, read(mine), read(ref), 'yours', 'reference');
    for (const line of patch.split('\n')) {
      if (line.startsWith('+') && !line.startsWith('+++')) console.log(chalk.green(line));
      else if (line.startsWith('-') && !line.startsWith('---')) console.log(chalk.red(line));
      else if (line.startsWith('@@')) console.log(chalk.cyan(line));
      else console.log(line);
    }
  }
  return 0;
}, { verdictExit: true });
