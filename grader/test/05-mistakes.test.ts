/**
 * Module 05: the XFetch mistakes, each the reference with one thing wrong
 * (grader/test/fixtures/05-early-expiration/mutations.ts) or a hand-written file (per-process.ts),
 * fail the check that the README and the instructor page say they fail, with the message they
 * quote; correct code written differently (another form of the rule, a class, a smoothed delta)
 * passes every check.
 */
import { describe, expect, it } from 'vitest';
import xfetch from '../modules/05-early-expiration/module.js';
import { mutations } from './fixtures/05-early-expiration/mutations.js';
import { failing, gradeFixture } from './support/fixtures.js';
import { gradeMutant } from './support/mutants.js';

const grade = (name: string, only: readonly string[], seeds = [1]) => gradeMutant(xfetch, mutations[name]!, only, seeds);

const cases: Array<[mistake: string, mutant: string, check: string, message: RegExp]> = [
  ['rand = rng.next(), which can be 0: ln(0) recomputes 20 s before expiry', 'rand-zero', 'decision rule', /with an rng whose next\(\) returned 0, 20\.0 s before expiry .* said recompute, want no: ln\(0\) is -Infinity.*1 - rng\.next\(\)/],
  ['beta ignored in the rule', 'beta-ignored', 'decision rule', /beta 2: the rule recomputed early in [\d,]+ of 20,000 draws \(0\.3\d\d\), want exp\(-t \/ \(beta x delta\)\) = 0\.607/],
  ['Math.random instead of the rng handed in: the guard names deps.rng', 'math-random', 'decision rule', /xfetch-cache\.ts:\d+ called Math\.random during a virtual-clock run: use deps\.rng\.next\(\)/],
  ['delta a constant: the slowdown does not move the recomputes', 'constant-delta', 'delta measured', /recomputes went from \d+ ms to \d+ ms\) but recomputes started \d+ ms before expiry, against \d+ ms .* delta is not measured/],
  ['delta measured once and never updated', 'delta-never-updated', 'delta measured', /delta is not measured; time each recompute on deps\.clock/],
  ['the early recompute awaited in the request path', 'awaited', 'no wait at the boundary', /waited (19|2\d)\d ms .* want <= 2 ms, a hit: the read that starts a recompute must not await it/],
];

describe('module 05: each XFetch mistake fails the check that teaches it', () => {
  it.each(cases)('%s', async (_what, mutant, check, message) => {
    const c = (await grade(mutant, [check])).checks[0]!;
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(message);
    expect(c.message).not.toContain('\n');
  });

  it('XFetch per process (deps.cache): the fleet recomputes once per instance', async () => {
    const c = await failing(xfetch, { 'xfetch-cache.ts': 'per-process.ts' }, 'fleet: few early recomputes');
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(/the fleet recomputed 4\.00 times per window on average, want <= 3: .* keep the value, delta and expiry in deps\.store/);
  });
});

describe('module 05: correct code written differently passes', () => {
  it.each(['alt-class.ts', 'alt-smoothed.ts'])('%s', async (file) => {
    const r = await gradeFixture(xfetch, { 'xfetch-cache.ts': file }, { seeds: [1, 2, 3] });
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });
});
