/**
 * Grades one module for one target: loads its files, runs each check over the seeds, and folds
 * the outcomes into one result per check. A check's figure comes from the first failing seed, or
 * from the first seed when all pass, so the output is the same on every run.
 *
 * While a check runs, whatever learner code does outside the promise the check awaits is caught
 * too: a promise that rejects with nobody listening, an exception thrown from a callback, a call
 * to process.exit. Each fails the check it happened in, in one line naming the learner's file.
 */
import { isHerdError, learnerFrame } from '@herd/harness/engine';
import type { CheckDef, Exports } from './define.js';
import { describeLearnerError, firstLine, isGraderBug } from './learner-error.js';
import { loadExports, mainFile, referenceExports } from './load-learner.js';
import type { ModuleSpec } from './manifest.js';
import type { CheckResult, ModuleResult, SeedResult, Status, Target } from './types.js';

export const DEFAULT_SEEDS = [1, 2, 3] as const;

export interface GradeOptions {
  /** Seeds to grade on; default 1, 2, 3. `--seed N` passes one. */
  seeds?: readonly number[];
  /** Only these checks (by name). */
  only?: readonly string[];
  /** Called as each check starts on each seed: the isolated grader's watchdog listens to it. */
  onCheck?(name: string, seed: number): void;
  /** Called with each check's result as soon as it is known. */
  onResult?(result: CheckResult): void;
  /** Grade every seed even after one fails, and keep each seed's result (`pnpm verdicts`). */
  everySeed?: boolean;
}

/** Another module's reference exports, loaded once per process (01's prediction runs its naive cache). */
async function reference(id: string): Promise<Exports> {
  // Imported here, not at the top: the course list imports every module, which imports this file.
  const { findModule } = await import('./manifest.js');
  const def = findModule(id);
  if (def === undefined) throw new Error(`grader bug: no module ${id} to take a reference from`);
  return referenceExports(def);
}

export async function gradeModule(spec: ModuleSpec, target: Target, options: GradeOptions = {}): Promise<ModuleResult> {
  const seeds = options.seeds ?? DEFAULT_SEEDS;
  const file = mainFile(spec, target);
  const wanted = spec.checks.filter((c) => options.only === undefined || options.only.includes(c.name));

  let exports: Exports | undefined;
  let loadFailure: string | undefined;
  try {
    exports = await loadExports(spec, target);
  } catch (error) {
    loadFailure = describeLearnerError(error, file);
  }

  const checks: CheckResult[] = [];
  for (const check of wanted) {
    const base = { name: check.name, target: check.target, measured: '', message: '', seed: null };
    if (exports === undefined) {
      checks.push({ ...base, status: 'error', measured: '-', message: loadFailure! });
      continue;
    }
    const result = await gradeCheck(check, exports, target, file, seeds, options);
    checks.push(result);
    options.onResult?.(result);
  }
  return { id: spec.id, title: spec.title, status: foldStatus(checks.map((c) => c.status)), checks };
}

async function gradeCheck(check: CheckDef, exports: Exports, target: Target, file: string, seeds: readonly number[], options: GradeOptions): Promise<CheckResult> {
  const runSeeds = check.seeds === 'once' ? seeds.slice(0, 1) : seeds;
  let result: CheckResult | undefined;
  const perSeed: SeedResult[] = [];
  for (const seed of runSeeds) {
    options.onCheck?.(check.name, seed);
    const current = await gradeSeed(check, exports, target, file, seed);
    perSeed.push({ seed, status: current.status, measured: current.measured, message: current.message, ...(current.figure === undefined ? {} : { figure: current.figure }), ...(current.bound === undefined ? {} : { bound: current.bound }) });
    // The figure shown is the first failing seed's, or the first seed's when all pass.
    if (result === undefined || (result.status === 'pass' && current.status !== 'pass')) result = current;
    if (current.status !== 'pass' && !options.everySeed) break;
  }
  return options.everySeed ? { ...result!, perSeed } : result!;
}

/** One check on one seed, with whatever learner code does outside the awaited promise caught too. */
async function gradeSeed(check: CheckDef, exports: Exports, target: Target, file: string, seed: number): Promise<CheckResult> {
  const base = { name: check.name, target: check.target, measured: '', message: '', seed };
  const stray = watchStrays();
  try {
    const outcome = await check.run({ seed, target, exports, value: check.value, file, reference });
    // Rejections nobody handled surface a turn after the promise settles.
    await new Promise((r) => setImmediate(r));
    const crash = stray.first();
    if (crash !== undefined) return { ...base, status: 'fail', measured: outcome.measured, message: strayLine(crash, file) };
    if (outcome.skipped) return { ...base, status: 'skipped', measured: outcome.measured, message: outcome.message ?? '' };
    return {
      ...base,
      status: outcome.pass ? 'pass' : 'fail',
      measured: outcome.measured,
      message: outcome.message ?? '',
      series: outcome.series,
      ...(outcome.seriesLabel === undefined ? {} : { seriesLabel: outcome.seriesLabel }),
      ...(outcome.figure === undefined ? {} : { figure: outcome.figure }),
      ...(outcome.bound === undefined ? {} : { bound: outcome.bound }),
    };
  } catch (error) {
    const crash = stray.first();
    if (crash !== undefined) return { ...base, status: 'fail', measured: '-', message: strayLine(crash, file) };
    // A wrong answer found by the audit every run gets (cache/audit.ts) is a failed property, not a crash.
    if (isHerdError(error, 'BAD_ANSWER')) return { ...base, status: 'fail', measured: 'a wrong answer', message: `${file}: ${error.message}` };
    if (isGraderBug(error)) {
      return { ...base, status: 'error', measured: '-', message: `grader bug, please report it: ${firstLine(error instanceof Error ? `${error.name}: ${error.message}` : String(error))}`, graderBug: true };
    }
    return { ...base, status: 'error', measured: '-', message: describeLearnerError(error, file) };
  } finally {
    stray.stop();
  }
}

type Stray = { kind: 'rejection' | 'exception' | 'exit'; error: unknown };

/**
 * Listens for what learner code does outside the awaited promise while one check runs. Node
 * would otherwise end the process on an unhandled rejection, taking every other check with it.
 */
function watchStrays(): { first(): Stray | undefined; stop(): void } {
  const seen: Stray[] = [];
  const onRejection = (error: unknown): void => void seen.push({ kind: 'rejection', error });
  const onException = (error: unknown): void => void seen.push({ kind: 'exception', error });
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  const realExit = process.exit;
  const realKill = process.kill;
  // Learner code ending or signalling the grading process: refused, and named.
  process.exit = ((code?: number) => {
    const error = new Error(`called process.exit(${code ?? ''})`);
    if (learnerFrame(error.stack) === undefined) return realExit.call(process, code);
    seen.push({ kind: 'exit', error });
    throw error;
  }) as typeof process.exit;
  process.kill = ((pid: number, signal?: string | number) => {
    const error = new Error(`called process.kill(${pid}${signal === undefined ? '' : `, ${JSON.stringify(signal)}`})`);
    if (learnerFrame(error.stack) === undefined) return realKill.call(process, pid, signal);
    seen.push({ kind: 'exit', error });
    throw error;
  }) as typeof process.kill;
  return {
    first: () => seen[0],
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      process.exit = realExit;
      process.kill = realKill;
    },
  };
}

function strayLine(stray: Stray, file: string): string {
  const e = stray.error;
  const frame = e instanceof Error ? learnerFrame(e.stack) : undefined;
  const where = frame ?? file;
  const what = e instanceof Error ? firstLine(`${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`) : firstLine(String(e));
  if (stray.kind === 'exit') return `${where}: ${what}: a module's code never ends or signals the process; throw an error or return a rejected promise instead`;
  if (stray.kind === 'exception') return `${where}: an exception escaped outside any awaited call (${what}): throw inside the promise get() returns, not from a callback`;
  return `${where}: a promise rejected and nothing handled it (${what}): did you leave the promise of .finally() or .then() unhandled? p.then(onDone, onDone) handles both outcomes; a promise started in the background needs its own .catch()`;
}

export function foldStatus(statuses: readonly Status[]): Status {
  if (statuses.includes('error')) return 'error';
  if (statuses.includes('fail')) return 'fail';
  // A module with a skipped check is not done: the check did not run.
  if (statuses.includes('skipped')) return 'skipped';
  return 'pass';
}

export { firstLine };
