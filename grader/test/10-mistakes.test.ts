/**
 * Module 10: the load-shedding mistakes, each the reference with one thing wrong
 * (grader/test/fixtures/10-load-shedding/mutations.ts) or a file of its own (the fixed rate
 * limit), fail the check that the README and the instructor page say they fail, with the message
 * they quote; correct variants (other budgets, an adaptive concurrency limit, a CoDel-style class)
 * pass every check.
 */
import { describe, expect, it } from 'vitest';
import shedding from '../modules/10-load-shedding/module.js';
import { mutations } from './fixtures/10-load-shedding/mutations.js';
import { gradeFixture } from './support/fixtures.js';
import { gradeMutant } from './support/mutants.js';

const grade = (name: string, only: readonly string[], seeds = [1]) => gradeMutant(shedding, mutations[name]!, only, seeds);
const every = shedding.checks.map((c) => c.name);

const cases: Array<[mistake: string, fixture: string, check: string, message: RegExp]> = [
  ['critical traffic shed like the rest', 'sheds-critical', 'critical never shed', /\d+ of \d+ critical requests were served, want all \(\d+ refused.*never shed priority 'critical'/],
  ['shedding by arrival order, not priority', 'arrival-order', 'sheddable before normal', /at 1\.5x capacity normal requests were served \d+% \(sheddable \d+%\), want >= 90%/],
  ['a threshold so low it sheds at half load', 'threshold-too-low', 'no false sheds', /at 0\.5x capacity the node refused \d+ of [\d,]+ requests, want 0/],
  ['a 503 without Retry-After', 'no-retry-after', 'fast 503 with Retry-After', /[\d,]+ of [\d,]+ 503s carried no Retry-After, want every one/],
  ['queueing before deciding: the queue may fill to the whole timeout', 'queue-decides', 'fast 503 with Retry-After', /[\d,]+ requests waited in the queue until their callers gave up .* decide before the request joins the queue/],
];

describe('module 10: each load-shedding mistake fails the check that teaches it', () => {
  it.each(cases)('%s', async (_what, fixture, check, message) => {
    const c = (await grade(fixture, [check])).checks[0]!;
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(message);
    expect(c.message).not.toContain('\n');
  });

  it('a fixed rate limit passes while the node stays as it is and fails when the capacity halves', async () => {
    const r = await gradeFixture(shedding, { 'admission.ts': 'fixed-rate.ts' }, { only: ['goodput under overload', 'capacity halves'] });
    const [goodput, capacity] = r.checks;
    expect(goodput!.status, goodput!.message).toBe('pass');
    expect(capacity!.status).toBe('fail');
    expect(capacity!.message).toMatch(/requests twice as slow \(3-7 s, 500\/s\): goodput never got back to 450\/s.* a fixed rate/);
  });
});

describe('module 10: correct variants pass', () => {
  it('other budgets and Retry-After', async () => {
    const r = await grade('alt-budgets', every, [1, 2]);
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });

  it.each(['alt-concurrency-limit.ts', 'alt-class.ts'])('%s', async (fixture) => {
    const r = await gradeFixture(shedding, { 'admission.ts': fixture }, { seeds: [1, 2] });
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });
});
