/**
 * pnpm grade [module] [--solution] [--all] [--json] [--watch] [--seed N] [--room URL --name NAME]
 *
 * No module: progress over every module (done / current / todo), then the current one graded.
 * --room (opt-in): posts the verdict, never code, to an instructor's room (pnpm room serve).
 * Exit 0 when every graded check passes, 1 when one fails, 2 when the grader could not run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import chalk from 'chalk';
import { repoRoot } from '@herd/harness/engine';
import { DEFAULT_SEEDS } from '../grade.js';
import { headlineTable } from '../headline.js';
import { gradeIsolated } from '../isolated.js';
import { GraderError, describeLearnerError } from '../learner-error.js';
import { learnerPath, mainFile, targetDir } from '../load-learner.js';
import { typeWarnings } from '../typecheck.js';
import { manifest, requireModule, type ModuleSpec } from '../manifest.js';
import { isDone, readProgress, recordGrade } from '../progress.js';
import { parseRoomUrl, postVerdict } from '../room/client.js';
import { NAME_RE } from '../room/verdict.js';
import { saveGrade, stateDir, verdictOf } from '../saved-grade.js';
import { commonCause, paragraph, renderHeadline, renderModule } from '../render.js';
import type { ModuleResult, Target } from '../types.js';
import { parseArgs, parseSeed } from './args.js';
import { main } from './main.js';

const USAGE = 'usage: pnpm grade [NN] [--solution] [--all] [--json] [--watch] [--seed N] [--room URL --name NAME]';

main(async () => {
  const args = parseArgs(process.argv.slice(2), ['solution', 'all', 'json', 'watch', 'help'], ['seed', 'room', 'name']);
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const target: Target = args.flags.has('solution') ? 'solution' : 'starter';
  const seeds = args.values.has('seed') ? [parseSeed(args.values.get('seed'))] : DEFAULT_SEEDS;
  if (args.positionals.length > 1) throw new GraderError(USAGE);
  const room = args.values.get('room');
  if ((room === undefined) !== (args.values.get('name') === undefined)) throw new GraderError('--room and --name go together: pnpm grade NN --room URL --name NAME', 1);
  if (room !== undefined && (target === 'solution' || args.flags.has('all'))) throw new GraderError('--room posts your own grade of one module: not with --solution or --all', 1);
  if (room !== undefined) {
    parseRoomUrl(room);
    if (!NAME_RE.test(args.values.get('name')!)) throw new GraderError('--name: 1 to 40 letters, digits, spaces, dots, dashes or apostrophes, starting with a letter or digit', 1);
  }

  let specs: readonly ModuleSpec[];
  if (args.flags.has('all')) {
    specs = manifest;
  } else if (args.positionals[0] !== undefined) {
    specs = [requireModule(args.positionals[0], USAGE)];
  } else {
    const current = manifest.find((m) => !isDone(m)) ?? manifest[manifest.length - 1]!;
    if (!args.flags.has('json')) console.log(progressList(current), '\n');
    specs = [current];
  }

  if (args.flags.has('watch')) return watchAndRegrade(specs, process.argv.slice(2).filter((a) => a !== '--watch'));

  const results: ModuleResult[] = [];
  for (const spec of specs) {
    // Type errors in your files are warnings, checked beside the grading so they cost no time.
    const typing = target === 'starter' && !args.flags.has('json') && specs.length === 1 ? typeWarnings(Object.keys(spec.files).map((f) => learnerPath(spec, target, f))) : Promise.resolve([]);
    const result = await gradeIsolated(spec, target, { seeds });
    results.push(result);
    if (target === 'starter' && !args.flags.has('all')) {
      recordGrade(spec, result.status);
      saveGrade(verdictOf(spec, result));
    }
    if (!args.flags.has('json')) {
      console.log(renderModule(spec, result, target, mainFile(spec, target)));
      // A check that blocked its process would block this run of the same code too.
      if (specs.length === 1 && result.hung === undefined && commonCause(result) === undefined) await printHeadline(spec, target, seeds[0]!, result);
      // Awaited last: the type check has had the grading and the headline's time to finish.
      const warnings = await typing;
      // A file that does not load has said so once already; its type errors would repeat it.
      if (warnings.length > 0 && commonCause(result) === undefined) {
        console.log(`\n${chalk.yellow(paragraph('warning: TypeScript finds type errors in your code (graded anyway, since tsx only strips types):', 2))}`);
        for (const w of warnings) console.log(chalk.yellow(`  ${paragraph(w, 4)}`));
      }
      if (result.status === 'skipped') console.log(`\n${chalk.yellow(paragraph(`${spec.id} is not done yet: a check was skipped (see above), so it never ran. Start Redis (\`redis-server --daemonize yes\`, or set REDIS_URL) and grade again.`, 0))}`);
      console.log('');
    }
  }

  if (args.flags.has('json')) {
    const json = {
      target,
      modules: results.map((r) => ({
        id: r.id,
        status: r.status,
        checks: r.checks.map(({ name, status, measured, target: want, message, seed: s }) => ({ name, status, measured, target: want, message, seed: s })),
      })),
    };
    console.log(JSON.stringify(json, null, 2));
  } else if (specs.length === 1 && results[0]!.status === 'pass' && target === 'starter') {
    const next = manifest[manifest.indexOf(specs[0] as (typeof manifest)[number]) + 1];
    console.log(chalk.green(`Module ${specs[0]!.id} done.`) + (next ? ` Compare with the reference: pnpm solution ${specs[0]!.id.slice(0, 2)}. Next: modules/${next.id}/README.md` : ''));
  }
  if (room !== undefined) {
    for (const [i, r] of results.entries()) {
      const posted = await postVerdict(room, args.values.get('name')!, verdictOf(specs[i]!, r), path.join(stateDir(), 'room-tokens.json'));
      (args.flags.has('json') ? console.error : console.log)(posted.ok ? posted.message : chalk.yellow(posted.message));
    }
  }
  // 2: the grader itself failed somewhere (a bug to report); 1: a check did not pass.
  if (results.some((r) => r.checks.some((c) => c.graderBug))) return 2;
  return results.every((r) => r.status === 'pass') ? 0 : 1;
}, { verdictExit: true });

function progressList(current: ModuleSpec): string {
  const progress = readProgress();
  const lines = manifest.map((m) => {
    const state = isDone(m, progress) ? chalk.green('done   ') : m === current ? chalk.yellow('current') : chalk.dim('todo   ');
    return `  ${state}  ${m.id}`;
  });
  return [chalk.bold('Tame the Herd: progress'), ...lines].join('\n');
}

async function printHeadline(spec: ModuleSpec, target: Target, seed: number, result: ModuleResult): Promise<void> {
  const file = mainFile(spec, target);
  // The headline runs the learner's code in this process: what it leaves unhandled is one line
  // after the table, never a stack trace through the harness that loses the table.
  const strays: unknown[] = [];
  const stray = (error: unknown): void => void strays.push(error);
  process.on('unhandledRejection', stray);
  process.on('uncaughtException', stray);
  try {
    const table = await headlineTable(spec, target, seed);
    await new Promise((r) => setImmediate(r));
    if (table !== undefined) console.log(`\n${renderHeadline(table)}`);
  } catch (error) {
    const why = describeLearnerError(error, file);
    // The same failure as a check above: named once, there.
    const said = result.checks.some((c) => c.message === why);
    console.log(chalk.dim(`\n${paragraph(`(headline table not shown: ${said ? 'your code failed as above' : why})`, 1)}`));
  } finally {
    process.off('unhandledRejection', stray);
    process.off('uncaughtException', stray);
  }
  if (strays.length > 0) {
    const why = describeLearnerError(strays[0], file);
    console.log(chalk.red(`\n${paragraph(`while the headline ran, your code left ${strays.length === 1 ? 'an error' : `${strays.length} errors`} unhandled: ${why}`, 2)}`));
  }
}

/** Re-grades in a fresh process on every save, so edited files are re-imported and a hang can be killed. */
function watchAndRegrade(specs: readonly ModuleSpec[], childArgs: string[]): Promise<number> {
  const dirs = specs.map((s) => path.join(repoRoot, targetDir(childArgs.includes('--solution') ? 'solution' : 'starter'), s.id));
  const script = fileURLToPath(import.meta.url);
  let child: ChildProcess | undefined;
  let timer: NodeJS.Timeout | undefined;
  const run = (): void => {
    child?.kill();
    console.clear();
    console.log(chalk.dim(`watching ${dirs.map((d) => path.relative(repoRoot, d)).join(', ')}; Ctrl-C to stop\n`));
    child = spawn(process.execPath, [...process.execArgv, script, ...childArgs], { stdio: 'inherit' });
  };
  for (const dir of dirs) {
    watch(dir, () => {
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });
  }
  run();
  return new Promise<number>(() => {});
}
