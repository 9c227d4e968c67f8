/**
 * A learner's mistakes get one line naming their file: a syntax error, a wrong export, an
 * exception, a hang, a global timer. Fixture files are written under modules/ for the test and
 * removed after it, since the loader and the guard key on that directory.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HerdError, repoRoot } from '@herd/harness/engine';
import { gradeModule } from '../src/grade.js';
import { gradeIsolated } from '../src/isolated.js';
import { describeLearnerError } from '../src/learner-error.js';
import type { ModuleSpec } from '../src/manifest.js';
import { manifest } from '../src/manifest.js';

const fixtureId = `99-fixture-${process.pid}`;
const dir = path.join(repoRoot, 'modules', fixtureId);
const base = manifest.find((m) => m.id === '02-single-flight')!;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Grades a fixture single-flight file with module 02's checks. */
async function gradeFixture(name: string, source: string) {
  mkdirSync(dir, { recursive: true });
  const file = `${name}.ts`;
  writeFileSync(path.join(dir, file), source);
  const spec: ModuleSpec = { ...base, id: fixtureId, files: { [file]: ['createSingleFlight', 'createSingleFlightCache'] } };
  // Reuse 02's check implementations under the fixture's id.
  return gradeModule({ ...spec }, 'starter', { seeds: [1], only: ['same value for every waiter', 'one query per boundary'] }, '02-single-flight');
}

const cache = `
export function createSingleFlightCache(deps) {
  const flight = createSingleFlight();
  return { async get(key) { const hit = deps.cache.get(key); if (hit !== undefined) return hit;
    return flight.do(key, async () => { const v = await deps.origin.fetch(key); deps.cache.set(key, v, deps.ttlMs); return v; }); } };
}`;

describe('learner mistakes get one line naming the file', () => {
  it('syntax error', async () => {
    const r = await gradeFixture('syntax', `export function createSingleFlight( {\n${cache}`);
    const m = r.checks[0]!.message;
    expect(r.checks[0]!.status).toBe('error');
    expect(m).toMatch(new RegExp(`modules/${fixtureId}/syntax\\.ts:\\d+:\\d+: does not compile`));
    expect(m).not.toContain('\n');
  });

  it('wrong export', async () => {
    const r = await gradeFixture('wrong-export', `export function singleFlight() { return {}; }\n${cache}`);
    expect(r.checks[0]!.message).toBe(`modules/${fixtureId}/wrong-export.ts must export a function named createSingleFlight (it exports: singleFlight, createSingleFlightCache)`);
  });

  it('exception inside the learner code', async () => {
    const r = await gradeFixture('throws', `export function createSingleFlight() { return { do(key, fn) { const m = undefined; return m.get(key); } }; }\n${cache}`);
    expect(r.checks.every((c) => c.status === 'error')).toBe(true);
    expect(r.checks[0]!.message).toMatch(new RegExp(`modules/${fixtureId}/throws\\.ts:1: threw TypeError`));
  });

  it('a promise that never settles is a HANG naming the caller, not a timeout', async () => {
    const started = performance.now();
    const r = await gradeFixture('hangs', `export function createSingleFlight() { return { do() { return new Promise(() => {}); } }; }\n${cache}`);
    expect(performance.now() - started).toBeLessThan(20_000);
    const m = r.checks.find((c) => c.name === 'same value for every waiter')!.message;
    expect(m).toMatch(/caller 1's do\("k"\).*never settled/);
    expect(m).toContain(`modules/${fixtureId}/hangs.ts`);
  });

  it('global setTimeout during a virtual run names the file and the fix', async () => {
    const r = await gradeFixture(
      'timer',
      `export function createSingleFlight() { return { do(key, fn) { return new Promise((res) => setTimeout(() => res(fn()), 1)); } }; }\n${cache}`,
    );
    const m = r.checks[0]!.message;
    expect(m).toMatch(new RegExp(`modules/${fixtureId}/timer\\.ts:1 called setTimeout during a virtual-clock run: use deps.clock.sleep`));
  });

  it('a loop that never awaits is stopped by the isolated grader\'s watchdog and named in one line', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'spins.ts'), `export function createSingleFlight() { return { do(key, fn) { let busy = true; while (busy) { busy = key !== '' } return fn(); } }; }\n${cache}`);
    const spec: ModuleSpec = { ...base, id: fixtureId, files: { 'spins.ts': ['createSingleFlight', 'createSingleFlightCache'] } };
    const started = performance.now();
    const r = await gradeIsolated(spec, 'starter', { seeds: [1], only: ['same value for every waiter', 'keys independent'], watchdogMs: 3000 }, '02-single-flight');
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(r.hung).toEqual({ check: 'same value for every waiter', seed: 1 });
    expect(r.checks.map((c) => c.status)).toEqual(['error', 'error']);
    expect(r.checks[0]!.message).toBe(
      `modules/${fixtureId}/spins.ts: "same value for every waiter" (seed 1) did not finish within 3 s of wall time: a loop that never awaits (while or for with no await inside) blocks everything; look for one in your code`,
    );
    expect(r.checks[1]!.message).toBe('not graded: the run stopped at "same value for every waiter" (seed 1)');
  });

  it('the isolated grader gives the same result as grading in-process when nothing hangs', async () => {
    const inProcess = await gradeModule(base, 'solution', { seeds: [2] });
    const isolated = await gradeIsolated(base, 'solution', { seeds: [2] });
    expect(JSON.stringify(isolated)).toBe(JSON.stringify(inProcess));
  });

  it('a store out of reach is not blamed on the learner file: its own line names the fix', () => {
    const e = new HerdError('STORE_UNAVAILABLE', 'Redis at redis://127.0.0.1:6390 did not answer (ECONNREFUSED): start it with `redis-server --port 6390`');
    expect(describeLearnerError(e, 'modules/03-distributed-lock/locked-cache.ts')).toBe(e.message);
  });
});
