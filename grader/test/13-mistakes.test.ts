/**
 * Module 13: plausible wrong breakers and read paths, each rejected by the check that names its
 * mistake, and correct ones written differently (a time-based window, a class), accepted.
 */
import { describe, expect, it } from 'vitest';
import breaker from '../modules/13-circuit-breaker/module.js';
import { mutations } from './fixtures/13-circuit-breaker/mutations.js';
import { gradeFixture } from './support/fixtures.js';
import { gradeMutant } from './support/mutants.js';

const failing = async (name: string, check: string) => (await gradeMutant(breaker, mutations[name]!, [check])).checks[0]!;

describe('module 13: each mistake fails the check that teaches it', () => {
  const cases: Array<[mutation: string, check: string, message: RegExp]> = [
    ['half-open-flood', 'half-open probes', /the store had \d+ calls in flight .* want at most 3 \(halfOpenProbes\)/],
    ['never-forgets-successes', 'opens on the outage', /opened \d+ ms after the store died, want within 1000 ms: the window still counted/],
    ['never-forgets-failures', 'closes after recovery', /failures from the outage still in the window; empty it when the breaker closes/],
    ['never-forgets-failures', 'state machine', /the outage's failures are still in the window/],
    ['shared-state', 'one breaker per dependency', /breaker B's dependency answered all 6 of its calls, yet .* want 'closed'/],
    ['timeouts-succeed', 'opens on the outage', /calls waited out the 100 ms timeout, the breaker never opened; .* a timeout is a failure/],
    ['stuck-half-open', 'closes after recovery', /the probes succeeded but the breaker never closed/],
    ['stuck-half-open', 'state machine', /after 2 probes succeeded state\(\) is 'half-open', want 'closed'/],
    ['no-min-calls', 'state machine', /after 2 failures in 4 calls \(fewer than minCalls, 5\), state\(\) is 'open', want 'closed'/],
    ['unlimited-origin', 'database protected', /the database held \d+ queries at once .* want at most originLimit \(3\)/],
  ];
  for (const [mutation, check, message] of cases) {
    it(`${mutation}: ${check}`, async () => {
      const c = await failing(mutation, check);
      expect(c.status, c.message).toBe('fail');
      expect(c.message).toMatch(message);
    });
  }
});

describe('module 13: correct code written differently passes', () => {
  for (const file of ['alt-time-window.ts', 'alt-class.ts']) {
    it(file, async () => {
      const r = await gradeFixture(breaker, { 'circuit-breaker.ts': file }, { seeds: [1, 2] });
      expect(r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
    });
  }
});
