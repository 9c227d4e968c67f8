/**
 * Module 11: the blind batch (grader/test/fixtures/11-cascading-failure/blind.ts) gets its
 * verdicts on the grader's first seed (`pnpm verdicts 11` grades it on eight); the classic
 * balancer and node-setting mistakes, each the reference with one thing wrong (mutations.ts),
 * fail the check that names them, with the message the README and the instructor page quote;
 * correct variants pass every check.
 */
import { describe, expect, it } from 'vitest';
import cascade from '../modules/11-cascading-failure/module.js';
import { mutations } from './fixtures/11-cascading-failure/mutations.js';
import { gradeFixture } from './support/fixtures.js';
import { gradeMutant } from './support/mutants.js';
import { moduleVariants, variantsSuite } from './support/verdicts.js';

variantsSuite(cascade, await moduleVariants(cascade));

const file = (name: string) => ({ 'fleet.ts': name });
const failing = async (name: string, check: string) => (await gradeMutant(cascade, mutations[name]!, [check])).checks[0]!;

const cases: Array<[mistake: string, fixture: string, check: string, message: RegExp]> = [
  ['the panic threshold inverted', 'panic-inverted', 'panic threshold', /with 4 of 5 nodes healthy \(not below 50%\) you sent [\d,]+ requests to ejected nodes .* want none/],
  ['a health check that waits on the queue', 'queued-health-check', 'out-of-band health checks', /n1, n2, n3, n4 failed \d+ health checks while alive .* answer it out of band/],
  ['ejecting without a cap', 'no-cap', 'ejection cap', /5 of 5 nodes were ejected at once .* want at most 1 \(10% of 5, rounded down, at least one\)/],
  ['never re-admitting a recovered node', 'never-readmits', 'failed node taken back', /n0 came back at t=12\.0s and was never taken back/],
  ['a panic threshold that routes only to unhealthy nodes', 'panic-only-ejected', 'panic threshold', /with 2 of 5 nodes healthy \(below 50%\) you sent 0 requests to the healthy ones, want about [\d,]+: panic routes to every node/],
  ['ejecting at the first failed check', 'eject-at-first-failure', 'cascade reproduced', /n0 was ejected at t=[\d.]+s after 1 failed check in a row, want 2 \(unhealthyThreshold\)/],
  ['no shedding: the survivors serve requests nobody waits for', 'no-shedding', 'goodput while a node is down', /want >= 720\/s .* without shedding their queues grow past the clients' 200 ms timeout/],
];

describe('module 11: each mistake fails the check that names it', () => {
  it.each(cases)('%s', async (_what, fixture, check, message) => {
    const c = await failing(fixture, check);
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(message);
    expect(c.message).not.toContain('\n');
  });
});

describe('module 11: correct variants pass', () => {
  it.each(['alt-least-outstanding.ts'])('%s', async (fixture) => {
    const r = await gradeFixture(cascade, file(fixture), { seeds: [1, 2, 3] });
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });
});

// Once listed as correct (panic at or below the threshold, the cap rounded up): relabelled wrong
// when the boundaries were tested exactly (its header says why).
describe('module 11: panic at the threshold and a cap rounded up', () => {
  it('alt-class.ts fails the panic threshold at exactly 2 of 4 and the cap at 3 of 5', async () => {
    const r = await gradeFixture(cascade, file('alt-class.ts'), { seeds: [1], only: ['panic threshold', 'ejection cap'] });
    const [panic, cap] = r.checks;
    expect(panic!.message).toMatch(/with 2 of 4 nodes healthy \(exactly 50%, not below it\) you sent [\d,]+ requests to ejected nodes/);
    expect(cap!.message).toMatch(/3 of 5 nodes were ejected at once .* with maxEjectionPct 50, want at most 2/);
  });
});
