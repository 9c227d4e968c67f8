/**
 * Module 12: the budget, throttle and gate mistakes, each the reference with one thing wrong
 * (grader/test/fixtures/12-metastable-retries/mutations.ts), fail the check that the README and the
 * instructor page say they fail, with the message they quote; correct variants (a Finagle-style
 * budget, a budget of counters, other throttle windows, a per-caller throttle, a queue-length
 * gate) pass every check.
 */
import { describe, expect, it } from 'vitest';
import meta from '../modules/12-metastable-retries/module.js';
import { mutations } from './fixtures/12-metastable-retries/mutations.js';
import { gradeMutant } from './support/mutants.js';

const grade = (name: string, only: readonly string[], seeds = [1]) => gradeMutant(meta, mutations[name]!, only, seeds);

const cases: Array<[mistake: string, mutation: string, check: string, message: RegExp]> = [
  ['a budget that counts each retry as a request never limits', 'retries-as-requests', 'retry budget alone', /budget alone: \d+ retries for \d+ requests \(\d+\.\d%\), want <= 15\.0%.*goodput stayed at \d+\.\d% of offered load/],
  ['a budget that never refills stops retrying for good', 'never-refills', 'retry budget alone', /a retry saved 0 of them .* a budget must refill as requests succeed/],
  ['a throttle that counts every answer as an accept never throttles', 'accepts-as-requests', 'adaptive throttle alone', /throttle on, latency x2 for 10 s: goodput stayed at \d+\.\d% of offered load for the 12 s after the trigger ended/],
  ['K inverted throttles a healthy server', 'k-inverted', 'adaptive throttle alone', /rejected \d+ of \d+ requests locally \(\d+\.\d%\) while the server accepted every one, want none/],
  ['a gate that still works for expired requests', 'works-for-expired', 'overload gate alone', /the node finished \d+ requests whose callers had already timed out \(0 dropped\), want <= 5: set dropExpired/],
];

describe('module 12: each mistake fails the check that teaches it', () => {
  it.each(cases)('%s', async (_what, mutation, check, message) => {
    const c = (await grade(mutation, [check])).checks[0]!;
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(message);
    expect(c.message).not.toContain('\n');
  });
});

describe('module 12: correct variants pass', () => {
  it.each(['alt-counter-budget', 'alt-finagle-budget', 'alt-two-second-window', 'alt-half-second-window', 'alt-throttle-per-caller', 'alt-queue-length-gate'])('%s', async (mutation) => {
    const r = await grade(
      mutation,
      meta.checks.map((c) => c.name),
      [1, 2],
    );
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });
});
