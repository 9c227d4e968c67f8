/**
 * A learner's code mistakes (as opposed to a module's lesson) get one line naming their file:
 * a syntax error, a wrong or default export, an exception, a hang, a global timer or
 * Math.random, a get() that returns no promise, a swapped origin, process.exit, a loop that
 * never awaits, a runaway allocation, a top-level await that never settles. The fixtures stand
 * in for module 02's single-flight.ts (grader/test/fixtures/learner).
 */
import { describe, expect, it } from 'vitest';
import { HerdError } from '@herd/harness/engine';
import singleFlight from '../modules/02-single-flight/module.js';
import { gradeModule } from '../src/grade.js';
import { gradeIsolated } from '../src/isolated.js';
import { describeLearnerError, isGraderBug } from '../src/learner-error.js';
import { typeWarnings } from '../src/typecheck.js';
import { fixtureDir, gradeFixture } from './support/fixtures.js';

const DIR = fixtureDir('learner');
const grade = (file: string, only = ['same value for every waiter', 'one query per boundary'], isolated = false, watchdogMs?: number, heapMb?: number) =>
  gradeFixture(singleFlight, { 'single-flight.ts': file }, { folder: 'learner', only, isolated, watchdogMs, heapMb });

describe('learner mistakes get one line naming the file', () => {
  it('syntax error', async () => {
    const r = await grade('syntax.ts');
    const m = r.checks[0]!.message;
    expect(r.checks[0]!.status).toBe('error');
    expect(m).toMatch(new RegExp(`${DIR}/syntax\\.ts:\\d+:\\d+: does not compile`));
    expect(m).not.toContain('\n');
  });

  it('wrong export', async () => {
    const r = await grade('wrong-export.ts');
    expect(r.checks[0]!.message).toBe(`${DIR}/wrong-export.ts must export a function named createSingleFlight (it exports: singleFlight, createSingleFlightCache)`);
  });

  it('a default export is named as such, with the fix', async () => {
    const r = await grade('default-export.ts');
    expect(r.checks[0]!.message).toBe(
      `${DIR}/default-export.ts must export a function named createSingleFlight (it exports: createSingleFlightCache, and a default export; export it by name: \`export function createSingleFlight(...)\`)`,
    );
  });

  it('exception inside the learner code', async () => {
    const r = await grade('throws.ts');
    expect(r.checks.every((c) => c.status === 'error')).toBe(true);
    expect(r.checks[0]!.message).toMatch(new RegExp(`${DIR}/throws\\.ts:1: threw TypeError`));
  });

  it('a promise that never settles is a HANG naming the caller, not a timeout', async () => {
    const started = performance.now();
    const r = await grade('hangs.ts');
    expect(performance.now() - started).toBeLessThan(20_000);
    const m = r.checks.find((c) => c.name === 'same value for every waiter')!.message;
    expect(m).toMatch(/caller 1's do\("k"\).*never settled/);
    expect(m).toContain(`${DIR}/hangs.ts`);
  });

  it('global setTimeout during a virtual run names the file and the fix', async () => {
    const r = await grade('timer.ts');
    expect(r.checks[0]!.message).toMatch(new RegExp(`${DIR}/timer\\.ts:1 called setTimeout during a virtual-clock run: use deps.clock.sleep`));
  });

  it('Math.random is flagged like Date.now, pointing at deps.rng', async () => {
    const r = await grade('math-random.ts');
    expect(r.checks[0]!.message).toMatch(new RegExp(`${DIR}/math-random\\.ts:1 called Math.random during a virtual-clock run: use deps.rng.next\\(\\)`));
  });

  it('a get() that returns undefined is told so, not "does not read deps.cache"', async () => {
    const r = await grade('returns-undefined.ts', ['one query per boundary']);
    const m = r.checks[0]!.message;
    expect(m).toMatch(/get\("home"\) returned undefined, not a promise: declare get async, or return the promise/);
    expect(m).not.toMatch(/deps\.cache/);
  });

  it('code that swaps deps.origin.fetch is stopped where it does it', async () => {
    const r = await grade('swaps-fetch.ts', ['one query per boundary']);
    expect(r.checks[0]!.message).toMatch(new RegExp(`${DIR}/swaps-fetch\\.ts:\\d+: threw TypeError: Cannot assign to read only property 'fetch'`));
  });

  it('process.exit in learner code fails the check in one line; the grader goes on', async () => {
    const r = await grade('exits.ts', ['same value for every waiter', 'keys independent']);
    expect(r.checks[0]!.status).toBe('fail');
    expect(r.checks[0]!.message).toMatch(new RegExp(`^${DIR}/exits\\.ts:1: called process\\.exit\\(3\\): a module's code never ends or signals the process`));
  });

  it('process.kill(process.ppid) is refused the same way, in the isolated grader too', async () => {
    const r = await grade('kills-parent.ts', ['same value for every waiter'], true);
    expect(r.checks[0]!.status).toBe('fail');
    expect(r.checks[0]!.message).toMatch(new RegExp(`^${DIR}/kills-parent\\.ts:1: called process\\.kill\\(\\d+, "SIGTERM"\\)`));
  });

  it('a loop that never awaits is stopped by the watchdog and named in one line', async () => {
    const started = performance.now();
    const r = await grade('spins.ts', ['same value for every waiter', 'keys independent'], true, 3000);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(r.hung).toEqual({ check: 'same value for every waiter', seed: 1 });
    expect(r.checks.map((c) => c.status)).toEqual(['error', 'error']);
    expect(r.checks[0]!.message).toMatch(new RegExp(`^${DIR}/spins\\.ts: "same value for every waiter" \\(seed 1\\) did not finish within 3 s of wall time: a loop that never lets anything else run`));
    expect(r.checks[1]!.message).toBe('not graded: the run stopped at "same value for every waiter" (seed 1)');
  });

  it('a top-level await that never settles is called that, not a loop', async () => {
    const r = await grade('top-level-await.ts', ['same value for every waiter'], true, 2000);
    expect(r.checks[0]!.message).toMatch(new RegExp(`^${DIR}/top-level-await\\.ts: loading the file did not finish within 2 s of wall time: a top-level await that never settles\\?`));
  });

  it('a runaway allocation is one line about memory, not a V8 stack', async () => {
    // A small heap, so the allocation ends in seconds even on a loaded machine.
    const r = await grade('allocates.ts', ['same value for every waiter', 'keys independent'], true, undefined, 384);
    expect(r.checks[0]!.status).toBe('error');
    expect(r.checks[0]!.message).toMatch(new RegExp(`^${DIR}/allocates\\.ts: "same value for every waiter" \\(seed 1\\) ran the grading process out of memory`));
    expect(r.checks[1]!.message).toMatch(/not graded/);
  }, 120_000);

  it('a type error is a warning line naming file, line and code; the code is still graded', async () => {
    const lines = await typeWarnings([`${DIR}/type-error.ts`]);
    expect(lines).toEqual([`${DIR}/type-error.ts:21:9: TS2322 Type 'string' is not assignable to type 'number'.`]);
    const r = await grade('type-error.ts', ['same value for every waiter']);
    expect(r.checks[0]!.status).toBe('pass');
  });

  it('the isolated grader gives the same result as grading in-process when nothing hangs', async () => {
    const inProcess = await gradeModule(singleFlight, 'solution', { seeds: [2] });
    const isolated = await gradeIsolated(singleFlight, 'solution', { seeds: [2] });
    expect(JSON.stringify(isolated)).toBe(JSON.stringify(inProcess));
  });

  it('a store out of reach is not blamed on the learner file: its own line names the fix', () => {
    const e = new HerdError('STORE_UNAVAILABLE', 'Redis at redis://127.0.0.1:6390 did not answer (ECONNREFUSED): start it with `redis-server --port 6390`');
    expect(describeLearnerError(e, 'modules/03-distributed-lock/locked-cache.ts')).toBe(e.message);
  });

  it("the grader's own TypeError is a grader bug, not the learner's", () => {
    let bug: unknown;
    try {
      ([] as number[]).reduce((a, b) => a + b);
    } catch (e) {
      bug = e;
    }
    // Thrown from this test file, under grader/: the grader's own code.
    expect(isGraderBug(bug)).toBe(true);
    expect(isGraderBug(new HerdError('HANG', 'x'))).toBe(false);
  });
});
