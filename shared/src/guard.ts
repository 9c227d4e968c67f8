/**
 * While a virtual-clock run is under way, learner code must take time only from the injected
 * clock and randomness only from the seeded rng. This guard swaps the global timer functions,
 * process.nextTick, Date.now and Math.random for versions
 * that notice a call made from a learner file (modules/ or solutions/) and report it; calls from
 * anywhere else (the test runner, libraries) pass straight through.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { HerdError } from './errors.js';

/** Captured at load, before any guard is installed; the virtual clock drains with these. */
export const realSetImmediate = globalThis.setImmediate;
export const realSetTimeout = globalThis.setTimeout;
export const realNextTick = process.nextTick.bind(process);

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * Directories whose files are learner code: the starters and the references, plus any directory
 * the grader loads learner code from (a test's fixtures, the committed starters it extracts).
 * Grows through addLearnerDir; never shrinks, so a frame keeps its meaning for a whole process.
 */
const learnerDirs = ['modules', 'solutions'].map((d) => path.join(repoRoot, d) + path.sep);

/** Marks every file under `dir` (absolute) as learner code, for the guard and for learnerFrame. */
export function addLearnerDir(dir: string): void {
  const d = path.resolve(dir) + path.sep;
  if (!learnerDirs.includes(d)) learnerDirs.push(d);
}

/** The first stack frame inside a learner file, as `modules/02-x/y.ts:14`, or undefined. */
export function learnerFrame(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  for (const line of stack.split('\n')) {
    const m = /(?:file:\/\/)?(\/[^\s():]+\.[cm]?[tj]s):(\d+)/.exec(line);
    if (!m) continue;
    const file = m[1]!;
    if (learnerDirs.some((d) => file.startsWith(d))) {
      return `${path.relative(repoRoot, file)}:${m[2]}`;
    }
  }
  return undefined;
}

/** The first stack frame outside this file: whoever called the patched function. */
function callerOf(stack: string | undefined): string | undefined {
  const frames = (stack ?? '').split('\n').slice(1);
  return frames.find((line) => !line.includes(thisFile));
}

/** Path of a file relative to the repository root, for messages. */
export function repoRelative(file: string): string {
  return path.relative(repoRoot, file);
}

export { repoRoot };

type Patched = 'setTimeout' | 'setInterval' | 'setImmediate' | 'process.nextTick' | 'Date.now' | 'Math.random';

let depth = 0;
let onViolation: ((e: HerdError) => void) | undefined;
/** process.nextTick calls made by anyone but the clock while the guard is on; only ever grows. */
let ticks = 0;

/**
 * How many nextTick callbacks others (Node's streams, libraries) have queued during guarded
 * runs. The virtual clock steps on nextTick itself, and a step that finds this changed yields a
 * full event-loop turn first, so those callbacks and their continuations run before time moves.
 */
export function foreignTicks(): number {
  return ticks;
}

function violation(what: Patched, where: string): HerdError {
  // nextTick takes no time, but it runs outside the clock's steps: a continuation behind it
  // would see time that has already moved on.
  const use =
    what === 'Date.now'
      ? 'deps.clock.now()'
      : what === 'process.nextTick'
        ? 'await deps.clock.sleep(0)'
        : what === 'Math.random'
          ? 'deps.rng.next() (seeded: the same seed gives the same figures)'
          : 'deps.clock.sleep(ms)';
  return new HerdError(
    'GLOBAL_TIMER',
    `${where} called ${what} during a virtual-clock run: use ${use} instead, so the run stays deterministic and fast`,
    { where, what },
  );
}

/**
 * Installs the guard until the returned function is called. Nested installs share one patch.
 * `report` receives the violation; the guarded call then throws it into the learner's code too.
 */
export function installGuard(report: (e: HerdError) => void): () => void {
  const previous = onViolation;
  onViolation = report;
  if (depth++ === 0) patch();
  return () => {
    onViolation = previous;
    if (--depth === 0) unpatch();
  };
}

const originals = {
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
  nextTick: process.nextTick,
  dateNow: Date.now,
  random: Math.random,
};

const thisFile = fileURLToPath(import.meta.url);

/**
 * The learner frame behind a guarded call. Timers count wherever they are set from under a
 * learner call (a library's timer would never fire on the virtual clock either); nextTick counts
 * only when learner code calls it itself, since Node's streams use it inside console.log.
 */
function check(what: Patched): void {
  const stack = new Error().stack;
  const where = what === 'process.nextTick' ? learnerFrame(callerOf(stack)) : learnerFrame(stack);
  if (where === undefined) return;
  const e = violation(what, where);
  onViolation?.(e);
  throw e;
}

function patch(): void {
  const g = globalThis as Record<string, unknown>;
  g.setTimeout = function (this: unknown, ...args: unknown[]) {
    check('setTimeout');
    return (originals.setTimeout as (...a: unknown[]) => unknown).apply(this, args);
  };
  g.setInterval = function (this: unknown, ...args: unknown[]) {
    check('setInterval');
    return (originals.setInterval as (...a: unknown[]) => unknown).apply(this, args);
  };
  g.setImmediate = function (this: unknown, ...args: unknown[]) {
    check('setImmediate');
    return (originals.setImmediate as (...a: unknown[]) => unknown).apply(this, args);
  };
  process.nextTick = function (this: unknown, ...args: unknown[]) {
    ticks++;
    check('process.nextTick');
    return (originals.nextTick as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof process.nextTick;
  Date.now = () => {
    check('Date.now');
    return originals.dateNow();
  };
  // Not a timer, but the same harm: an unseeded draw makes two runs of one seed differ.
  Math.random = () => {
    check('Math.random');
    return originals.random();
  };
}

function unpatch(): void {
  const g = globalThis as Record<string, unknown>;
  g.setTimeout = originals.setTimeout;
  g.setInterval = originals.setInterval;
  g.setImmediate = originals.setImmediate;
  process.nextTick = originals.nextTick;
  Date.now = originals.dateNow;
  Math.random = originals.random;
}
