/**
 * While a virtual-clock run is under way, learner code must take time only from the injected
 * clock and randomness only from the seeded rng. This guard swaps the global timer functions,
 * process.nextTick, Date.now, performance.now, process.hrtime and Math.random for versions that
 * notice a call made from a learner file (modules/ or solutions/) and report it. A library the
 * learner's code calls gets virtual time instead (library-time.ts), so its behaviour is graded,
 * not its clock; calls from anywhere else (the test runner, the harness) pass straight through.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { HerdError } from './errors.js';
import { asVirtualTimer, VIRTUAL_EPOCH_MS, virtualHrtime, virtualTimer, type TimeBridge } from './library-time.js';

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

/** Path of a file relative to the repository root, for messages. */
export function repoRelative(file: string): string {
  return path.relative(repoRoot, file);
}

export { repoRoot };

type Patched = 'setTimeout' | 'setInterval' | 'setImmediate' | 'process.nextTick' | 'Date.now' | 'performance.now' | 'process.hrtime' | 'Math.random';

/** One installGuard: who hears of a violation, and the virtual clock library calls are answered from. */
interface Scope {
  report: (e: HerdError) => void;
  bridge?: TimeBridge;
}
const scopes: Scope[] = [];
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

function violation(what: Patched, where: string, library?: string): HerdError {
  if (library !== undefined) {
    return new HerdError(
      'GLOBAL_TIMER',
      `${where}: the library ${library} called Math.random during a virtual-clock run: an unseeded draw makes two runs of one seed differ; pass the library a source of randomness from deps.rng, or an option that avoids the draw`,
      { where, what, library },
    );
  }
  // nextTick takes no time, but it runs outside the clock's steps: a continuation behind it
  // would see time that has already moved on.
  const use =
    what === 'Date.now' || what === 'performance.now' || what === 'process.hrtime'
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
 * Installs the guard until the returned function is called. Nested installs share one patch;
 * the innermost is the one in force. `report` receives the violation; the guarded call then
 * throws it into the learner's code too. With a `bridge`, the clock and timers of libraries the
 * learner's code calls follow that virtual clock (library-time.ts) instead of real time.
 */
export function installGuard(report: (e: HerdError) => void, bridge?: TimeBridge): () => void {
  const scope: Scope = { report, bridge };
  scopes.push(scope);
  if (scopes.length === 1) patch();
  return () => {
    const i = scopes.lastIndexOf(scope);
    if (i >= 0) scopes.splice(i, 1);
    if (scopes.length === 0) unpatch();
  };
}

const realPerformanceNow = performance.now.bind(performance);
const originals = {
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
  clearTimeout: globalThis.clearTimeout,
  clearInterval: globalThis.clearInterval,
  clearImmediate: globalThis.clearImmediate,
  nextTick: process.nextTick,
  hrtime: process.hrtime,
  dateNow: Date.now,
  random: Math.random,
};

const thisFile = fileURLToPath(import.meta.url);

/**
 * Packages that host the code under test rather than being part of it: the test runner and the
 * TypeScript loader. Their timers stay real even when a learner call is on the stack.
 */
const isHostPackage = (name: string): boolean =>
  name === 'vitest' || name.startsWith('@vitest/') || ['tinypool', 'birpc', 'tinyspy', 'tsx', 'esbuild', 'vite', 'chai'].includes(name);

/**
 * The libraries the repository installs for learners: the root package.json's dependencies, less
 * the host's and the workspace's. Their calls follow the virtual clock even when no learner frame
 * is on the stack, as in a continuation of a library compiled to generators (exponential-backoff
 * sets its timers after an `await` of the learner's callback, and keeps no async stack).
 */
const learnerLibraries: ReadonlySet<string> = (() => {
  try {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    return new Set(names.filter((n) => !isHostPackage(n) && !n.startsWith('@types/') && !n.startsWith('@herd/') && n !== 'typescript'));
  } catch {
    return new Set<string>();
  }
})();

/**
 * Libraries seen called from learner code, with the learner frame that first called each: their
 * calls keep following the virtual clock from their own callbacks too, and are named by it.
 */
const libraries = new Map<string, string>();

/**
 * Packages a learner file imports (addLearnerImports, from its import lines), with that file.
 * During a virtual run they get library time from their first call, also from their own async
 * callbacks, where no learner frame is on the stack (a breaker that opens in the continuation of
 * the call it awaited: without this its first clock reading would be real time).
 */
const imported = new Map<string, string>();

/** Reads the bare import specifiers of a learner file's `source` (`where` names it) and remembers their packages. */
export function addLearnerImports(source: string, where: string): void {
  const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(specifier)) {
    const spec = m[1]!;
    if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || spec.startsWith('@herd/')) continue;
    const [first, second] = spec.split('/');
    const name = first!.startsWith('@') ? `${first}/${second}` : first!;
    if (!isHostPackage(name) && !imported.has(name)) imported.set(name, where);
  }
}

/** The npm package a file belongs to (pnpm's store included), or undefined. */
function packageOf(file: string): string | undefined {
  const i = file.lastIndexOf('/node_modules/');
  if (i < 0) return undefined;
  const [first, second] = file.slice(i + '/node_modules/'.length).split('/');
  return first?.startsWith('@') ? `${first}/${second}` : first;
}

const frameFile = (line: string | undefined): string | undefined => (line === undefined ? undefined : /(?:file:\/\/)?(\/[^\s():]+\.[cm]?[tj]s):\d+/.exec(line)?.[1]);

type Caller = { kind: 'host' } | { kind: 'learner'; where: string } | { kind: 'library'; name: string; where: string };

/**
 * Who made a guarded call. The learner, when the calling frame is in a learner file, or (for
 * everything but nextTick, which Node's streams use inside console.log) when a learner call is
 * anywhere on the stack; a library, when the caller is an npm package called from learner code
 * (now or before) or one the root package.json installs for learners; the host otherwise.
 */
function callerOf(what: Patched): Caller {
  // nextTick is never virtual, and Math.random from a library is a violation naming its line.
  if (what !== 'Math.random' && what !== 'process.nextTick') {
    const library = knownLibraryCaller();
    if (library !== undefined) return library;
  }
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  const frames = (stack ?? '').split('\n').slice(1);
  const top = frames.find((line) => !line.includes(thisFile));
  const own = learnerFrame(top);
  if (own !== undefined) return { kind: 'learner', where: own };
  const file = frameFile(top);
  const name = file === undefined ? undefined : packageOf(file);
  const under = learnerFrame(stack);
  if (name !== undefined && !isHostPackage(name) && (libraries.has(name) || under !== undefined || learnerLibraries.has(name))) {
    if (under !== undefined && !libraries.has(name)) libraries.set(name, under);
    const own = /:(\d+)(?::\d+)?\)?$/.exec(top ?? '')?.[1];
    return { kind: 'library', name, where: under ?? libraries.get(name) ?? `${repoRelative(file!)}${own === undefined ? '' : `:${own}`}` };
  }
  if (under !== undefined && what !== 'process.nextTick') return { kind: 'learner', where: under };
  if (name !== undefined && imported.has(name) && scopes[scopes.length - 1]?.bridge !== undefined) return { kind: 'library', name, where: imported.get(name)! };
  return { kind: 'host' };
}

type Site = { getFileName(): string | null | undefined };

/**
 * The file of each of the top `frames` frames of the caller's stack (undefined for native ones),
 * from V8's call sites: no stack text is formatted, so no source map is read. Formatting one
 * under tsx takes about 0.3 ms, and a library on the virtual clock reads it or sets a timer on
 * every retry.
 */
function stackFiles(frames: number): Array<string | undefined> {
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  Error.stackTraceLimit = frames;
  Error.prepareStackTrace = (_error, sites) => sites;
  const holder: { stack?: unknown } = {};
  Error.captureStackTrace(holder, stackFiles);
  const sites = holder.stack as Site[] | undefined;
  Error.prepareStackTrace = prepare;
  Error.stackTraceLimit = limit;
  return (sites ?? []).map((site) => {
    const file = site.getFileName() ?? undefined;
    return file?.startsWith('file://') ? fileURLToPath(file) : file;
  });
}

/**
 * The fast path of callerOf, for a call that only needs the virtual clock (not Math.random): a
 * library already seen called from learner code (its top frame says so), or one installed for
 * learners with no learner frame to record. Anything else takes the formatted stack, which
 * names lines for messages.
 */
function knownLibraryCaller(): Caller | undefined {
  // The guard's own frames (the patched function, check, callerOf, this one) come first.
  const top = stackFiles(8).find((f) => f !== thisFile);
  const name = top === undefined ? undefined : packageOf(top);
  if (name === undefined || isHostPackage(name)) return undefined;
  const seen = libraries.get(name);
  if (seen !== undefined) return { kind: 'library', name, where: seen };
  if (!learnerLibraries.has(name)) return undefined;
  const isLearner = (f: string | undefined): boolean => f !== undefined && learnerDirs.some((d) => f.startsWith(d));
  return stackFiles(60).some(isLearner) ? undefined : { kind: 'library', name, where: repoRelative(top!) };
}

/** The bridge in force, for a library caller; a learner caller's violation is reported and thrown. */
function check(what: Patched): TimeBridge | undefined {
  const caller = callerOf(what);
  if (caller.kind === 'host') return undefined;
  const scope = scopes[scopes.length - 1];
  if (caller.kind === 'library' && what !== 'Math.random') {
    if (scope?.bridge !== undefined) return scope.bridge;
  }
  const e = caller.kind === 'library' && what === 'Math.random' ? violation(what, caller.where, caller.name) : violation(what, caller.where);
  scope?.report(e);
  throw e;
}

const clear = (real: (h: never) => void) =>
  function (handle: unknown): void {
    const timer = asVirtualTimer(handle);
    if (timer !== undefined) timer.clear();
    else real(handle as never);
  };
// For good, not only while the guard is on: a library may clear a virtual timer after the run
// (a breaker's shutdown), and Node's own clearTimeout would not know it.
globalThis.clearTimeout = clear(originals.clearTimeout) as typeof clearTimeout;
globalThis.clearInterval = clear(originals.clearInterval) as typeof clearInterval;
globalThis.clearImmediate = clear(originals.clearImmediate) as typeof clearImmediate;

function patch(): void {
  const g = globalThis as Record<string, unknown>;
  const timer = (what: Patched, kind: 'timeout' | 'interval' | 'immediate', real: (...a: unknown[]) => unknown) =>
    function (this: unknown, ...args: unknown[]) {
      const bridge = check(what);
      if (bridge === undefined) return real.apply(this, args);
      const [fn, ...rest] = args;
      return kind === 'immediate' ? virtualTimer(bridge, kind, fn, 0, rest) : virtualTimer(bridge, kind, fn, rest[0], rest.slice(1));
    };
  g.setTimeout = timer('setTimeout', 'timeout', originals.setTimeout as never);
  g.setInterval = timer('setInterval', 'interval', originals.setInterval as never);
  g.setImmediate = timer('setImmediate', 'immediate', originals.setImmediate as never);
  process.nextTick = function (this: unknown, ...args: unknown[]) {
    ticks++;
    check('process.nextTick');
    return (originals.nextTick as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof process.nextTick;
  Date.now = () => {
    const bridge = check('Date.now');
    return bridge === undefined ? originals.dateNow() : VIRTUAL_EPOCH_MS + bridge.now();
  };
  (performance as { now: () => number }).now = () => {
    const bridge = check('performance.now');
    return bridge === undefined ? realPerformanceNow() : bridge.now();
  };
  const hrtime = (previous?: [number, number]): [number, number] => {
    const bridge = check('process.hrtime');
    return bridge === undefined ? originals.hrtime(previous) : virtualHrtime(bridge.now(), previous);
  };
  hrtime.bigint = (): bigint => {
    const bridge = check('process.hrtime');
    return bridge === undefined ? originals.hrtime.bigint() : BigInt(Math.round(bridge.now() * 1e6));
  };
  process.hrtime = hrtime as typeof process.hrtime;
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
  process.hrtime = originals.hrtime;
  delete (performance as { now?: unknown }).now;
  Date.now = originals.dateNow;
  Math.random = originals.random;
}
