/**
 * Grading with a watchdog. A learner's loop that never yields (`while (locked) {}`) blocks its
 * process's event loop, so no timer in that process can ever fire to stop it: the grader itself
 * would hang. The CLI therefore grades each module in a child process (grade-child.ts) that
 * reports every check as it starts; a check that runs longer than the watchdog's wall-clock limit
 * gets the child killed and becomes one line naming the learner's file and the check.
 */
import { fileURLToPath } from 'node:url';
import { forkTs, killWithParent } from './fork-ts.js';
import { GraderError, lastLine } from './learner-error.js';
import { mainFile } from './load-learner.js';
import type { ModuleSpec } from './manifest.js';
import type { GradeOptions } from './grade.js';
import { foldStatus } from './grade.js';
import type { CheckResult, ModuleResult, Target } from './types.js';

/** What the child is asked: the module's id and files may be a fixture's, graded with checksId's checks. */
export interface ChildRequest {
  id: string;
  files: Record<string, string[]>;
  checksId: string;
  target: Target;
  options: { seeds?: readonly number[]; only?: readonly string[] };
}

export type ChildReply =
  | { type: 'check'; name: string; seed: number }
  | { type: 'done'; check: CheckResult }
  | { type: 'result'; result: ModuleResult }
  /** The grader itself failed in the child (a bug, not the learner's code). */
  | { type: 'crash'; message: string };

/**
 * Wall time one check may take on one seed before it counts as blocked. The slowest check runs
 * about 4 s in real time against Redis; this leaves a loaded machine a wide margin.
 */
export const WATCHDOG_MS = 30_000;

const CHILD = fileURLToPath(new URL('./grade-child.ts', import.meta.url));

/** HERD_WATCHDOG_MS from the environment (to see the watchdog fire without waiting 30 s), else WATCHDOG_MS. */
const defaultWatchdogMs = (): number => Number(process.env.HERD_WATCHDOG_MS) || WATCHDOG_MS;

/** The callbacks stay behind: the child reports progress over IPC instead. */
export interface IsolatedOptions extends Omit<GradeOptions, 'onCheck' | 'onResult'> {
  /** Default: defaultWatchdogMs(). */
  watchdogMs?: number;
}

export function gradeIsolated(spec: ModuleSpec, target: Target, options: IsolatedOptions = {}, checksId = spec.id): Promise<ModuleResult> {
  const watchdogMs = options.watchdogMs ?? defaultWatchdogMs();
  const child = forkTs(CHILD);
  // Only the learner's own console output comes from the child: it goes to stderr, so debugging
  // prints show up on the terminal but never inside `pnpm grade --json`'s stdout.
  child.stdout?.pipe(process.stderr);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    process.stderr.write(chunk);
    stderr = (stderr + chunk).slice(-4000);
  });

  const release = killWithParent(child);

  return new Promise<ModuleResult>((resolve, reject) => {
    // The check (and seed) running now, and the results of those that finished before it.
    let current: { name: string; seed: number } | undefined;
    const done: CheckResult[] = [];
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      release();
      outcome();
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(() => resolve(hungResult(spec, target, options.only, done, current, watchdogMs))), watchdogMs);
    };

    child.on('message', (m: ChildReply) => {
      if (m.type === 'check') {
        current = { name: m.name, seed: m.seed };
        arm();
      } else if (m.type === 'done') {
        done.push(m.check);
      } else if (m.type === 'result') {
        finish(() => resolve(m.result));
      } else {
        finish(() => reject(new GraderError(`the grader failed while grading ${spec.id}, please report it: ${m.message}`)));
      }
    });
    // 'close', not 'exit': it comes after the child's last IPC message, so a result sent just
    // before exiting is never mistaken for a crash.
    child.once('close', (code, signal) => {
      finish(() => reject(new GraderError(`the grading process for ${spec.id} exited (${signal ?? `code ${code}`}) before it finished${lastLine(stderr) ? `: ${lastLine(stderr)}` : ''}`)));
    });
    child.once('error', (e) => finish(() => reject(new GraderError(`could not start the grading process: ${e.message}`))));
    // Loading the learner's files happens before the first check: a loop at import time is covered too.
    arm();
    child.send({ id: spec.id, files: spec.files, checksId, target, options: { seeds: options.seeds, only: options.only } } satisfies ChildRequest);
  });
}

/** Finished checks keep their results; the blocked one is named; the rest were never graded. */
function hungResult(
  spec: ModuleSpec,
  target: Target,
  only: readonly string[] | undefined,
  done: readonly CheckResult[],
  current: { name: string; seed: number } | undefined,
  watchdogMs: number,
): ModuleResult {
  const where = current === undefined ? 'loading the file' : `"${current.name}" (seed ${current.seed})`;
  const line = `${mainFile(spec, target)}: ${where} did not finish within ${Math.round(watchdogMs / 1000)} s of wall time: a loop that never awaits (while or for with no await inside) blocks everything; look for one in your code`;
  const checks = spec.checks
    .filter((c) => only === undefined || only.includes(c.name))
    .map((c): CheckResult => {
      const finished = done.find((d) => d.name === c.name);
      if (finished !== undefined) return finished;
      const blocked = current === undefined || c.name === current.name;
      return {
        name: c.name,
        status: 'error',
        measured: '-',
        target: c.target,
        message: blocked ? line : `not graded: the run stopped at ${where}`,
        seed: blocked ? (current?.seed ?? null) : null,
      };
    });
  return { id: spec.id, title: spec.title, status: foldStatus(checks.map((c) => c.status)), checks, hung: { check: current?.name ?? '(loading the file)', seed: current?.seed ?? 0 } };
}


/** Set in a command's environment when rerunWatched started it: it then reports `ran`. */
const WATCHED = 'HERD_WATCHED';

/** True in a process started by rerunWatched. */
export const isWatched = (): boolean => process.env[WATCHED] === '1';

/** Tells the watching parent that the learner's code has finished; a no-op when not watched. */
export function reportRan(): void {
  if (isWatched()) process.send?.({ type: 'ran' });
}

/**
 * Runs a CLI script again in a child process on the same terminal, for a command that runs
 * learner code before it prints (`pnpm demo NN --yours`). Until the child calls reportRan(), a
 * watchdog stands by: a loop that never awaits gets the child killed and one line naming `file`.
 * Resolves with the child's exit code.
 */
export function rerunWatched(script: string, args: string[], file: string, watchdogMs = defaultWatchdogMs()): Promise<number> {
  const child = forkTs(script, args, { terminal: true, env: { ...process.env, [WATCHED]: '1' } });
  const release = killWithParent(child);
  return new Promise<number>((resolve) => {
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, watchdogMs);
    child.on('message', (m: { type?: string }) => {
      if (m.type === 'ran') clearTimeout(timer);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      release();
      if (hung) {
        console.error(`${file}: your code did not finish within ${Math.round(watchdogMs / 1000)} s of wall time: a loop that never awaits (while or for with no await inside) blocks everything; look for one in your code`);
        return resolve(1);
      }
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
