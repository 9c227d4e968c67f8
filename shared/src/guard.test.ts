import path from 'node:path';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppFactory } from './app.js';
import { isHerdError, type HerdError } from './errors.js';
import { addLearnerDir, addLearnerImports, installGuard, learnerFrame, repoRelative, repoRoot } from './guard.js';
import { runScenario, type ScenarioSpec } from './runner.js';
import { VirtualClock } from './virtual-clock.js';

// A learner-like file: the guard notices it because its folder is added as a learner dir, the
// way the grader adds the folder it loads learner files from. Nothing is written anywhere.
const fixtureFile = path.join(repoRoot, 'shared', 'test-fixtures', 'guard-learner.ts');
const fixtureRel = repoRelative(fixtureFile);

interface Fixture {
  makeApp: AppFactory;
  useDateNow(): number;
  useSetInterval(): void;
  useSetImmediate(): Promise<void>;
  useSetTimeout(): void;
  useNextTick(): Promise<void>;
  useStream(): Promise<void>;
  useMathRandom(): number;
}
let learner: Fixture;

beforeAll(async () => {
  addLearnerDir(path.dirname(fixtureFile));
  learner = (await import(/* @vite-ignore */ fixtureFile)) as Fixture;
});

const originals = { setTimeout, setInterval, setImmediate, nextTick: process.nextTick, dateNow: Date.now, random: Math.random };
const expectRestored = (): void => {
  expect(globalThis.setTimeout).toBe(originals.setTimeout);
  expect(globalThis.setInterval).toBe(originals.setInterval);
  expect(globalThis.setImmediate).toBe(originals.setImmediate);
  expect(process.nextTick).toBe(originals.nextTick);
  expect(Date.now).toBe(originals.dateNow);
  expect(Math.random).toBe(originals.random);
};

/** Runs `learnerCall` on a virtual clock after a short virtual sleep; returns the run's error and what the call itself threw. */
async function underVirtualRun(learnerCall: () => unknown): Promise<{ runError: unknown; thrown: unknown }> {
  const clock = new VirtualClock();
  let thrown: unknown;
  const main = (async () => {
    await clock.sleep(5);
    try {
      await learnerCall();
    } catch (e) {
      thrown = e;
    }
    await clock.sleep(5);
  })();
  const runError = await clock.run(main).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { runError, thrown };
}

describe('guard: learner files reaching for global timers during a virtual run', () => {
  it('fails a scenario whose app calls setTimeout with GLOBAL_TIMER, naming the file and line', async () => {
    const spec: ScenarioSpec = {
      name: 'guarded',
      seed: 1,
      durationMs: 5_000,
      ttlMs: 1_000,
      origin: { latencyMs: 50 },
      load: { kind: 'closed', clients: 3, thinkMs: [100, 200] },
    };
    const err = await runScenario(spec, learner.makeApp).catch((e: unknown) => e);
    expect(isHerdError(err, 'GLOBAL_TIMER')).toBe(true);
    const e = err as HerdError;
    expect(e.message).toContain(`${fixtureRel}:5`);
    expect(e.message).toContain('called setTimeout during a virtual-clock run');
    expect(e.message).toContain('deps.clock.sleep(ms)');
    expect(e.context).toEqual({ where: `${fixtureRel}:5`, what: 'setTimeout' });
    expectRestored();
  });

  it.each([
    ['Date.now', 'useDateNow', 11, 'deps.clock.now()'],
    ['setInterval', 'useSetInterval', 14, 'deps.clock.sleep(ms)'],
    ['setImmediate', 'useSetImmediate', 17, 'deps.clock.sleep(ms)'],
    ['setTimeout', 'useSetTimeout', 20, 'deps.clock.sleep(ms)'],
    ['process.nextTick', 'useNextTick', 23, 'await deps.clock.sleep(0)'],
    ['Math.random', 'useMathRandom', 31, 'deps.rng.next() (seeded: the same seed gives the same figures)'],
  ] as const)('catches %s, and throws it into the learner call too', async (what, fn, line, fix) => {
    const { runError, thrown } = await underVirtualRun(() => learner[fn]());
    expect(isHerdError(runError, 'GLOBAL_TIMER')).toBe(true);
    expect((runError as Error).message).toBe(
      `${fixtureRel}:${line} called ${what} during a virtual-clock run: use ${fix} instead, so the run stays deterministic and fast`,
    );
    expect(thrown).toBe(runError);
    expectRestored();
  });

  it('lets a stream write (console.log) from a learner file through: only a direct nextTick counts', async () => {
    const { runError, thrown } = await underVirtualRun(() => learner.useStream());
    expect(runError).toBeUndefined();
    expect(thrown).toBeUndefined();
    expectRestored();
  });

  it('fails only the run the violation happened in: a reused clock runs clean afterwards', async () => {
    const clock = new VirtualClock();
    const first = await clock.run(clock.sleep(5).then(() => learner.useDateNow())).catch((e: unknown) => e);
    expect(isHerdError(first, 'GLOBAL_TIMER')).toBe(true);
    expect(await clock.run(clock.sleep(5).then(() => 'clean'))).toBe('clean');
    expectRestored();
  });

  it('lets calls from non-learner files pass straight through during a run', async () => {
    const clock = new VirtualClock();
    const main = (async () => {
      await clock.sleep(5);
      expect(globalThis.setTimeout).not.toBe(originals.setTimeout); // the guard is in place
      expect(Date.now()).toBeGreaterThan(Date.UTC(2020, 0, 1));
      // Real timers are created (and cleared: the virtual clock does not wait for real time, so
      // awaiting one here would end the run as a HANG).
      clearTimeout(setTimeout(() => {}, 1));
      clearImmediate(setImmediate(() => {}));
      clearInterval(setInterval(() => {}, 1000));
      await clock.sleep(5);
      return clock.now();
    })();
    await expect(clock.run(main)).resolves.toBe(10);
    expectRestored();
  });

  it('does not watch learner files outside a virtual run', async () => {
    expectRestored();
    expect(typeof learner.useDateNow()).toBe('number');
    learner.useSetTimeout();
    await learner.useSetImmediate();
  });
});

describe('installGuard', () => {
  it('nests: the patch stays until the outermost restore, and reports go to the innermost reporter', () => {
    const outerSeen: HerdError[] = [];
    const innerSeen: HerdError[] = [];
    const restoreOuter = installGuard((e) => outerSeen.push(e));
    const restoreInner = installGuard((e) => innerSeen.push(e));
    expect(() => learner.useDateNow()).toThrow(/Date\.now/);
    restoreInner();
    expect(Date.now).not.toBe(originals.dateNow);
    expect(() => learner.useDateNow()).toThrow(/Date\.now/);
    restoreOuter();
    expectRestored();
    expect(innerSeen).toHaveLength(1);
    expect(outerSeen).toHaveLength(1);
    expect(() => learner.useDateNow()).not.toThrow();
  });
});

describe('learnerFrame', () => {
  const modFile = path.join(repoRoot, 'modules', '02-single-flight', 'app.ts');
  const solFile = path.join(repoRoot, 'solutions', '02-single-flight', 'app.mts');

  it('finds the first frame in modules/ or solutions/, as a repo-relative file:line', () => {
    const stack = [
      'Error',
      `    at check (${path.join(repoRoot, 'shared', 'src', 'guard.ts')}:80:17)`,
      `    at Object.get (${modFile}:14:9)`,
      `    at other (${solFile}:3:1)`,
    ].join('\n');
    expect(learnerFrame(stack)).toBe('modules/02-single-flight/app.ts:14');
    expect(learnerFrame(`Error\n    at file://${solFile}:7:2`)).toBe('solutions/02-single-flight/app.mts:7');
    expect(learnerFrame(`Error\n    at async ${modFile}:22:5`)).toBe('modules/02-single-flight/app.ts:22');
  });

  it('ignores everything else', () => {
    expect(learnerFrame(undefined)).toBeUndefined();
    expect(learnerFrame('')).toBeUndefined();
    expect(learnerFrame(`Error\n    at x (${path.join(repoRoot, 'shared', 'src', 'runner.ts')}:1:1)`)).toBeUndefined();
    expect(learnerFrame(`Error\n    at x (${path.join(repoRoot, 'modulesX', 'a.ts')}:1:1)`)).toBeUndefined();
    expect(learnerFrame(`Error\n    at x (${path.join(repoRoot, 'modules', 'node_modules', 'lib.js')}:1:1)`)).toBe(
      'modules/node_modules/lib.js:1',
    );
  });

  it('repoRelative is relative to the repository root', () => {
    expect(repoRelative(modFile)).toBe('modules/02-single-flight/app.ts');
    expect(repoRoot).toBe(path.resolve(__dirname, '..', '..'));
  });
});

describe('library time: libraries the learner calls follow the virtual clock', () => {
  interface LibraryFixture {
    retryThrough(failures: number, randomize?: boolean): Promise<string>;
    backOffThrough(failures: number, jitter?: 'none' | 'full'): Promise<string>;
    makeBreaker(): { fire(fail: boolean): Promise<string>; opened: boolean; halfOpen: boolean; closed: boolean; shutdown(): void };
    makeCockatiel(): { call(fn: () => Promise<string>): Promise<string>; state(): string };
  }
  let lib: LibraryFixture;
  beforeAll(async () => {
    lib = (await import(/* @vite-ignore */ path.join(repoRoot, 'shared', 'test-fixtures', 'library-learner.ts'))) as LibraryFixture;
  });

  it("p-retry's waits (setTimeout) and its clock (performance.now) are virtual: 100 + 200 ms of virtual time, no real wait", async () => {
    const clock = new VirtualClock();
    const wall = performance.now();
    const value = await clock.run(clock.sleep(1).then(() => lib.retryThrough(2)));
    expect(value).toBe('ok after 3');
    expect(clock.now()).toBe(301);
    expect(performance.now() - wall).toBeLessThan(250);
    expectRestored();
  });

  it('a library that draws Math.random is a violation naming the library and the learner frame', async () => {
    const clock = new VirtualClock();
    const err = await clock.run(clock.sleep(1).then(() => lib.retryThrough(1, true))).catch((e: unknown) => e);
    expect(isHerdError(err, 'GLOBAL_TIMER')).toBe(true);
    expect((err as Error).message).toMatch(/library-learner\.ts:\d+: the library p-retry called Math\.random/);
    expectRestored();
  });

  it("exponential-backoff's timers, set from generator continuations with no learner frame on the stack, are virtual too", async () => {
    const clock = new VirtualClock();
    const value = await clock.run(clock.sleep(1).then(() => lib.backOffThrough(2)));
    expect(value).toBe('ok after 3');
    expect(clock.now()).toBe(301);
    const err = await new VirtualClock().run(Promise.resolve().then(() => lib.backOffThrough(1, 'full'))).catch((e: unknown) => e);
    expect(isHerdError(err, 'GLOBAL_TIMER')).toBe(true);
    expect((err as Error).message).toMatch(/the library exponential-backoff called Math\.random/);
    expectRestored();
  });

  it('a breaker made in `within` (a factory) keeps its timers on that clock: it half-opens after 1 s of virtual time', async () => {
    const clock = new VirtualClock();
    const breaker = clock.within(() => lib.makeBreaker());
    const seen: string[] = [];
    const main = (async () => {
      await breaker.fire(true).catch(() => seen.push(`t=${clock.now()} opened=${breaker.opened}`));
      await clock.sleep(999);
      seen.push(`t=${clock.now()} halfOpen=${breaker.halfOpen}`);
      await clock.sleep(1);
      seen.push(`t=${clock.now()} halfOpen=${breaker.halfOpen}`);
      seen.push(await breaker.fire(false));
      seen.push(`closed=${breaker.closed}`);
      breaker.shutdown();
    })();
    await clock.run(main, { deadline: 60_000 });
    expect(seen).toEqual(['t=0 opened=true', 't=999 halfOpen=false', 't=1000 halfOpen=true', 'up', 'closed=true']);
    expectRestored();
  });

  it('a library the learner file imports reads virtual time from its own async callbacks too, where no learner frame is on the stack', async () => {
    const file = path.join(repoRoot, 'shared', 'test-fixtures', 'library-learner.ts');
    addLearnerImports(readFileSync(file, 'utf8'), repoRelative(file));
    const clock = new VirtualClock();
    const breaker = clock.within(() => lib.makeCockatiel());
    const seen: string[] = [];
    const main = (async () => {
      // cockatiel opens in the continuation of the call it awaited, and stamps Date.now there.
      await breaker.call(() => Promise.reject(new Error('down'))).catch(() => seen.push(`t=${clock.now()} ${breaker.state()}`));
      await clock.sleep(999);
      seen.push(await breaker.call(async () => 'up').catch(() => `t=${clock.now()} refused`));
      await clock.sleep(1);
      seen.push(await breaker.call(async () => 'up'));
    })();
    await clock.run(main, { deadline: 60_000 });
    expect(seen).toEqual(['t=0 Open', 't=999 refused', 'up']);
    expectRestored();
  });

  it('cancels: a cleared library timer neither fires nor moves time, so a hang is still a HANG', async () => {
    const clock = new VirtualClock();
    const breaker = clock.within(() => lib.makeBreaker());
    breaker.shutdown();
    const err = await clock.run(new Promise(() => {})).catch((e: unknown) => e);
    expect(isHerdError(err, 'HANG')).toBe(true);
    expect(clock.now()).toBe(0);
  });
});
