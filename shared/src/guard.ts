/**
 * While a virtual-clock run is under way, learner code must take time only from the injected
 * clock. This guard swaps the global timer functions and Date.now for versions that notice a
 * call made from a learner file (modules/ or solutions/) and report it; calls from anywhere else
 * (the test runner, libraries) pass straight through.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { HerdError } from './errors.js';

/** Captured at load, before any guard is installed; the virtual clock drains with these. */
export const realSetImmediate = globalThis.setImmediate;
export const realSetTimeout = globalThis.setTimeout;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const learnerDirs = ['modules', 'solutions'].map((d) => path.join(repoRoot, d) + path.sep);

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

/** Path of a file relative to the repository root, for messages. */
export function repoRelative(file: string): string {
  return path.relative(repoRoot, file);
}

export { repoRoot };

type Patched = 'setTimeout' | 'setInterval' | 'setImmediate' | 'Date.now';

let depth = 0;
let onViolation: ((e: HerdError) => void) | undefined;

function violation(what: Patched, where: string): HerdError {
  const use = what === 'Date.now' ? 'deps.clock.now()' : 'deps.clock.sleep(ms)';
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
  dateNow: Date.now,
};

function check(what: Patched): void {
  const where = learnerFrame(new Error().stack);
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
  Date.now = () => {
    check('Date.now');
    return originals.dateNow();
  };
}

function unpatch(): void {
  const g = globalThis as Record<string, unknown>;
  g.setTimeout = originals.setTimeout;
  g.setInterval = originals.setInterval;
  g.setImmediate = originals.setImmediate;
  Date.now = originals.dateNow;
}
