/** pnpm hint NN: shows the module's next tiered hint (and the ones before it). */
import chalk from 'chalk';
import { requireModule } from '../manifest.js';
import { readProgress, writeProgress } from '../progress.js';
import { wrap, terminalWidth } from '../render.js';
import { parseArgs } from './args.js';
import { main } from './main.js';

main(async () => {
  const args = parseArgs(process.argv.slice(2), ['reset']);
  const spec = requireModule(args.positionals[0], 'usage: pnpm hint NN [--reset]   (e.g. pnpm hint 02)');
  const progress = readProgress();
  if (args.flags.has('reset')) {
    progress.hints[spec.id] = 0;
    writeProgress(progress);
    console.log(`Hints for ${spec.id} reset.`);
    return 0;
  }
  const shown = Math.min(spec.hints.length, (progress.hints[spec.id] ?? 0) + 1);
  progress.hints[spec.id] = shown;
  writeProgress(progress);
  console.log(chalk.bold(`${spec.id}: hint ${shown} of ${spec.hints.length}`));
  // Wrapped to the terminal, continuation lines under the text, so a projector never wraps mid-word.
  spec.hints.slice(0, shown).forEach((h, i) => {
    const current = i + 1 === shown;
    const lines = wrap(h, terminalWidth() - 5);
    lines.forEach((line, k) => {
      const lead = k > 0 ? '     ' : `${current ? chalk.yellow('>') : chalk.dim(' ')} ${i + 1}. `;
      console.log(`${lead}${current ? line : chalk.dim(line)}`);
    });
  });
  if (shown === spec.hints.length) console.log(chalk.dim(`That was the last hint. Once the module passes: pnpm solution ${spec.id.slice(0, 2)}`));
  else console.log(chalk.dim(`Run it again for hint ${shown + 1}.`));
  return 0;
});
