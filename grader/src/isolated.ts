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
import { describeCrash } from './crash.js';
import type { GradeOptions } from './grade.js';
import { foldStatus } from './grade.js';
import type { CheckResult, ModuleResult, Target } from './types.js';

/** What the child is asked: a module, with its files possibly read from another folder (a fixture's). */
export interface ChildRequest {
  definition: string;
  dir?: string;
  files?: Record<string, string[]>;
  target: Target;
  options: { seeds?: readonly number[]; only?: readonly string[]; everySeed?: boolean };
}

export type ChildReply =
  /** The child has started and loaded the grader: from here on the time is the learner's code's. */
  | { type: 'ready' }
  | { type: 'check'; name: string; seed: number }
  /** The child's event loop is free: whatever it waits on is not a loop that blocks it. */
  | { type: 'pong' }
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
  /** The child's heap, MB. Default CHILD_HEAP_MB. */
  heapMb?: number;
}

/** The grading child's heap: far above what grading needs, low enough that a runaway allocation ends in seconds. */
const CHILD_HEAP_MB = 1536;

export function gradeIsolated(spec: ModuleSpec, target: Target, options: IsolatedOptions = {}): Promise<ModuleResult> {
  const watchdogMs = options.watchdogMs ?? defaultWatchdogMs();
  const child = forkTs(CHILD, [], { heapMb: options.heapMb ?? CHILD_HEAP_MB });
  // Only the learner's own console output comes from the child: it goes to stderr, so debugging
  // prints show up on the terminal but never inside `pnpm grade --json`'s stdout. V8's report of
  // a process out of memory is not the learner's output: it is cut, and summed up in one line.
  child.stdout?.pipe(process.stderr);
  let stderr = '';
  let dying = false;
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
    if (/<--- Last few GCs --->|FATAL ERROR:/.test(chunk)) dying = true;
    if (!dying) process.stderr.write(chunk);
  });

  const release = killWithParent(child);

  return new Promise<ModuleResult>((resolve, reject) => {
    // The check (and seed) running now, and the results of those that finished before it.
    let current: { name: string; seed: number } | undefined;
    const done: CheckResult[] = [];
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    let startup: NodeJS.Timeout | undefined;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(startup);
      clearTimeout(timer);
      clearTimeout(pinged);
      release();
      outcome();
    };
    // At the watchdog: a child that still answers a ping is waiting (a top-level await or a
    // promise outside the virtual clock that never settles); one that does not is blocked.
    let pinged: NodeJS.Timeout | undefined;
    // A check may need more wall time than the default (the capstone starts a fleet of processes).
    const limitOf = (): number => Math.max(watchdogMs, spec.checks.find((c) => c.name === current?.name)?.wallMs ?? 0);
    const arm = (): void => {
      clearTimeout(startup);
      clearTimeout(timer);
      clearTimeout(pinged);
      timer = setTimeout(() => {
        child.send({ type: 'ping' });
        pinged = setTimeout(() => finish(() => resolve(hungResult(spec, target, options.only, done, current, limitOf(), 'blocked'))), PING_GRACE_MS);
      }, limitOf());
    };

    child.on('message', (m: ChildReply) => {
      if (m.type === 'pong') {
        clearTimeout(pinged);
        finish(() => resolve(hungResult(spec, target, options.only, done, current, limitOf(), 'waiting')));
      } else if (m.type === 'ready') {
        arm();
      } else if (m.type === 'check') {
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
      // Died in the middle of a check: the learner's code did it (out of memory, a signal); the
      // finished checks keep their results and the one that was running is named.
      if (current !== undefined || dying) {
        const line = describeCrash(mainFile(spec, target), current, code, signal, stderr);
        return finish(() => resolve(stoppedResult(spec, options.only, done, current, line, { check: current?.name ?? '(loading the file)', seed: current?.seed ?? 0 })));
      }
      finish(() => reject(new GraderError(`the grading process for ${spec.id} exited (${signal ?? `code ${code}`}) before it finished${lastLine(stderr) ? `: ${lastLine(stderr)}` : ''}`)));
    });
    child.once('error', (e) => finish(() => reject(new GraderError(`could not start the grading process: ${e.message}`))));
    // The watchdog starts once the child has started and loaded the grader ('ready'): starting a
    // process on a loaded machine is not the learner's time. Loading the learner's files comes
    // after, before the first check, so a loop at import time is covered too. A child that never
    // gets that far is the grader's problem, with a limit of its own.
    startup = setTimeout(() => finish(() => reject(new GraderError(`the grading process for ${spec.id} did not start within ${STARTUP_MS / 1000} s; is the machine overloaded?`))), STARTUP_MS);
    child.send({ definition: spec.id, dir: spec.dir, files: spec.files, target, options: { seeds: options.seeds, only: options.only, everySeed: options.everySeed } } satisfies ChildRequest);
  });
}

/** How long a child may take to start and load the grader before it reports ready. */
const STARTUP_MS = 120_000;

/** How long a child at the watchdog gets to answer a ping. */
const PING_GRACE_MS = 1000;

/** Finished checks keep their results; the blocked one is named; the rest were never graded. */
function hungResult(
  spec: ModuleSpec,
  target: Target,
  only: readonly string[] | undefined,
  done: readonly CheckResult[],
  current: { name: string; seed: number } | undefined,
  watchdogMs: number,
  how: 'blocked' | 'waiting',
): ModuleResult {
  const where = current === undefined ? 'loading the file' : `"${current.name}" (seed ${current.seed})`;
  const s = Math.round(watchdogMs / 1000);
  const line =
    how === 'blocked'
      ? `${mainFile(spec, target)}: ${where} did not finish within ${s} s of wall time: a loop that never lets anything else run (while or for with no await inside, or one that only awaits things that are ready at once, never deps.clock.sleep) blocks everything; look for one in your code`
      : current === undefined
        ? `${mainFile(spec, target)}: loading the file did not finish within ${s} s of wall time: a top-level await that never settles? Move the work into a function`
        : `${mainFile(spec, target)}: ${where} did not finish within ${s} s of wall time, waiting on something outside the virtual clock that never settled (a real timer, real I/O, a top-level promise?)`;
  return stoppedResult(spec, only, done, current, line, { check: current?.name ?? '(loading the file)', seed: current?.seed ?? 0 });
}

/** The result of a run that stopped at `current`: finished checks kept, the running one named, the rest not graded. */
function stoppedResult(
  spec: ModuleSpec,
  only: readonly string[] | undefined,
  done: readonly CheckResult[],
  current: { name: string; seed: number } | undefined,
  line: string,
  hung: { check: string; seed: number },
): ModuleResult {
  const where = current === undefined ? 'loading the file' : `"${current.name}" (seed ${current.seed})`;
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
  return { id: spec.id, title: spec.title, status: foldStatus(checks.map((c) => c.status)), checks, hung };
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
