/**
 * Module 09: the classic backoff and retry mistakes, each the reference with one thing wrong
 * (grader/test/fixtures/09-jitter-backoff/mutations.ts), fail the check that the README and the
 * instructor page say they fail, with the message they quote; correct variants written
 * differently (a class, recursion, Retry-After plus the backoff, doubling in a loop) pass.
 */
import { describe, expect, it } from 'vitest';
import backoff from '../modules/09-jitter-backoff/module.js';
import { mutations } from './fixtures/09-jitter-backoff/mutations.js';
import { gradeFixture } from './support/fixtures.js';
import { gradeMutant } from './support/mutants.js';

const grade = (name: string, only: readonly string[], seeds = [1]) => gradeMutant(backoff, mutations[name]!, only, seeds);

const cases: Array<[mistake: string, fixture: string, check: string, message: RegExp]> = [
  ['jitter added on top of the capped delay', 'jitter-after-cap', 'full jitter', /full jitter drew 2,00\d ms after attempt 1\d, above the cap of 2,000 ms/],
  ["equal jitter's random half from the uncapped exponential", 'equal-half-uncapped', 'equal jitter', /equal jitter drew [\d,]+ ms after attempt 1\d, above the cap of 2,000 ms .*cap first/],
  ['the exponent off by one: the first retry waits twice the base', 'exponent-off-by-one', 'exponential', /exponential waited 10 ms after attempt 1, want 5 ms .*attempt counts from 1/],
  ['Math.random instead of the rng it is given', 'math-random', 'full jitter', /backoff\.ts:\d+ called Math\.random during a virtual-clock run: use deps\.rng\.next\(\).*the rng argument of the delay function/],
  ['decorrelated jitter capping the bound, not the draw', 'decorrelated-cap-inside', 'decorrelated jitter', /mean of 2,000 decorrelated jitter delays with prevDelay 1,000 was 1,0\d\d ms, want 1,336 .*cap the draw, not its bounds/],
  ['decorrelated jitter starting from 0, not the base', 'decorrelated-from-zero', 'decorrelated jitter', /decorrelated jitter drew [\d.]+ ms after attempt 1 \(prevDelay 0\), want \[5, 15\) ms/],
  ['retrying a 404', 'retries-4xx', 'no retry on 4xx', /answered 404 on call 5 and retry\(\) tried 3 more times, want it to throw the 404 at once/],
  ['giving up on 429 and 408', 'only-5xx', 'no retry on 4xx', /retry\(\) gave up after the 429 error of call 3, want a retry/],
  ['the attempt counter off by one', 'attempts-off-by-one', 'retry gives up', /retry\(\) made 5 attempts .* want maxAttempts = 4: off by one/],
  ['giving up with an error of its own', 'new-error-on-give-up', 'retry gives up', /retry\(\) threw Error: gave up after 4 attempts, want the last attempt's error \(the 503 error of call 4\)/],
  ["ignoring the server's Retry-After", 'ignores-retry-after', 'Retry-After honoured', /attempt 2 started 50 ms after a 503 with Retry-After 400 ms, want at least 400/],
  ['Retry-After instead of the backoff', 'retry-after-instead', 'Retry-After honoured', /attempt 4 started 20 ms after a 503 with Retry-After 20 ms where the backoff said 200 ms, want the longer of the two/],
  ['no overall budget', 'no-budget', 'time budget', /retry\(\) kept going for [\d,]+ ms \(50 attempts, .*want no attempt after the 1,000 ms budget/],
  ['sleeping before finding the budget spent', 'sleep-then-give-up', 'time budget', /retry\(\) gave up at 1,200 ms, 300 ms after its last attempt failed and past the 1,000 ms budget/],
];

describe('module 09: each backoff or retry mistake fails the check that teaches it', () => {
  it.each(cases)('%s', async (_what, fixture, check, message) => {
    const c = (await grade(fixture, [check])).checks[0]!;
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(message);
    expect(c.message).not.toContain('\n');
  });
});

describe('module 09: correct variants pass every check', () => {
  it.each([
    ['strategies by doubling, a class-based retry', { 'backoff.ts': 'alt-backoff.ts', 'retry.ts': 'alt-retry-class.ts' }],
    ['strategies by doubling, a recursive retry waiting Retry-After plus the backoff', { 'backoff.ts': 'alt-backoff.ts', 'retry.ts': 'alt-retry-recursive.ts' }],
  ])('%s', async (_what, files) => {
    const r = await gradeFixture(backoff, files, { seeds: [1, 2] });
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  }, 60_000);
});
