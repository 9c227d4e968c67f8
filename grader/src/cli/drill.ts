/**
 * pnpm drill [NN] [--force] [--count N] [--sheet]
 *
 * NN: asks that module's interview follow-ups one at a time (Enter shows the model answer, then
 * knew it / partly / missed), once NN passes, so the answers can quote the learner's own figures.
 * No module: the due questions of every passed module, missed ones first (Leitner boxes in
 * .herd/drill.json). Piped, or with --sheet: prints them with their answers as a study sheet.
 */
import path from 'node:path';
import { GraderError } from '../learner-error.js';
import { isDone, learnerHash } from '../progress.js';
import { interviews, interviewFile } from '../interview/load.js';
import { itemsOf, runSession, sessionItems, studySheet, summary, type DrillModule } from '../interview/drill.js';
import { readDrillState, writeDrillState } from '../interview/leitner.js';
import { manifest, requireModule, type ModuleSpec } from '../manifest.js';
import { paragraph } from '../render.js';
import { readSavedGrade, stateDir } from '../saved-grade.js';
import { parseArgs } from './args.js';
import { main } from './main.js';

const USAGE = 'usage: pnpm drill [NN] [--force] [--count N] [--sheet]';

function drillModule(spec: ModuleSpec): DrillModule {
  const interview = interviews.get(spec.id);
  if (interview === undefined) throw new GraderError(`${spec.id} has no interview questions yet (${interviewFile(spec.id)})`);
  const saved = readSavedGrade(spec.id);
  const grade = saved !== undefined && saved.status === 'pass' && saved.hash === learnerHash(spec) ? saved : undefined;
  return { id: spec.id, title: spec.title, interview, ...(grade ? { grade } : {}) };
}

main(async () => {
  const args = parseArgs(process.argv.slice(2), ['force', 'sheet', 'help'], ['count']);
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  if (args.positionals.length > 1) throw new GraderError(USAGE);
  const count = Number(args.values.get('count') ?? 10);
  if (!Number.isInteger(count) || count < 1) throw new GraderError(`--count takes a whole number of questions, got "${args.values.get('count')}"`);

  let modules: DrillModule[];
  const one = args.positionals[0];
  if (one !== undefined) {
    const spec = requireModule(one, USAGE);
    const nn = spec.id.slice(0, 2);
    if (!isDone(spec) && !args.flags.has('force')) {
      const saved = readSavedGrade(spec.id);
      const changed = saved?.status === 'pass';
      throw new GraderError(
        changed
          ? `your files in modules/${spec.id} changed since ${nn} last passed, so the drill has no run of yours to quote. Grade again (pnpm grade ${nn}), or drill without your figures: pnpm drill ${nn} --force`
          : `${nn} ${spec.title} is not passed yet, so the drill has no run of yours to quote. Make pnpm grade ${nn} pass, then drill it; or drill now without your figures: pnpm drill ${nn} --force`,
        1,
      );
    }
    modules = [drillModule(spec)];
  } else {
    modules = manifest.filter((m) => isDone(m) && interviews.has(m.id)).map(drillModule);
    if (modules.length === 0) throw new GraderError('no module passed yet: pnpm drill draws from the modules you have passed. Make pnpm grade 01 pass first, or drill one now without your figures: pnpm drill 01 --force', 1);
  }

  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true && !args.flags.has('sheet');
  if (!interactive) {
    console.log(studySheet(modules));
    return 0;
  }

  const file = path.join(stateDir(), 'drill.json');
  const state = readDrillState(file);
  const all = itemsOf(modules);
  const items = sessionItems(all, state, one !== undefined, count);
  const title = one !== undefined ? `${modules[0]!.id.slice(0, 2)} ${modules[0]!.title}, all ${items.length} questions` : `${items.length} due from ${modules.map((m) => m.id.slice(0, 2)).join(', ')}`;
  console.log(paragraph(`Tame the Herd: interview drill, ${title}. Say your answer first, then compare. q stops; your boxes are saved after each answer.`, 0));
  const tally = await runSession(items, state, { input: process.stdin, output: process.stdout }, () => writeDrillState(file, state));
  writeDrillState(file, state);
  console.log(summary(tally, state, all));
  return 0;
});
