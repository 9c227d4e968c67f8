/**
 * Module 02: plausible wrong single flights, each rejected by the check that names its mistake,
 * and a correct one written differently, accepted.
 */
import { describe, expect, it } from 'vitest';
import singleFlight from '../modules/02-single-flight/module.js';
import { gradeIsolated } from '../src/isolated.js';
import { mutations } from './fixtures/02-single-flight/mutations.js';
import { gradeFixture } from './support/fixtures.js';
import { gradeMutant, mutantSpec } from './support/mutants.js';

const sf = (file: string) => ({ 'single-flight.ts': file });
const failing = async (name: string, check: string) => (await gradeMutant(singleFlight, mutations[name]!, [check])).checks[0]!;

describe('module 02: each mistake fails the check that teaches it', () => {
  it('a successful result kept forever: a second round gets the old value', async () => {
    const c = await failing('keeps-success', 'same value for every waiter');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/keeps a successful result forever/);
    const b = await failing('keeps-success', 'one query per boundary');
    expect(b.status, b.message).toBe('fail');
    expect(b.message).toMatch(/got 1 TTL boundaries in 60 s, want 6/);
  });

  it('a failed rebuild that poisons the key', async () => {
    const c = await failing('poisoned', 'failure shared, not cached');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/poisoned in-flight entry/);
  });

  it('the in-flight map at module level: two flights from one factory share it', async () => {
    const d = await failing('module-map', 'same value for every waiter');
    expect(d.status, d.message).toBe('fail');
    expect(d.message).toMatch(/two flights share their in-flight map/);
  });

  it('one flight for all keys: a fast key waits behind a slow one', async () => {
    const c = await failing('one-flag', 'keys independent');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/fn ran 0 times for key "b"|got another key's value/);
  });

  it('promise.finally(cleanup) whose derived promise rejects unhandled: the check fails in one line, the grader lives on', async () => {
    const r = await gradeIsolated(mutantSpec(singleFlight, mutations['finally-unhandled']!), 'starter', { seeds: [1], only: ['failure shared, not cached', 'keys independent'] });
    const [failed, next] = r.checks;
    expect(failed!.status, failed!.message).toBe('fail');
    expect(failed!.message).toMatch(/^\.herd\/mutants\/02-single-flight\/finally-unhandled\/single-flight\.ts: a promise rejected and nothing handled it \(.*origin down.*\): did you leave the promise of \.finally\(\)/);
    expect(failed!.message).not.toContain('\n');
    // The other checks still ran.
    expect(next!.status, next!.message).toBe('pass');
  });
});

describe('module 02: correct code written differently passes', () => {
  it('a class with a finally around the awaited call', async () => {
    const r = await gradeFixture(singleFlight, sf('alt-class.ts'), { seeds: [1, 2] });
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });
});
