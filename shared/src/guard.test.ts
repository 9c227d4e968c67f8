import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppFactory } from './app.js';
import { isHerdError, type HerdError } from './errors.js';
import { addLearnerDir, installGuard, learnerFrame, repoRelative, repoRoot } from './guard.js';
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
