/**
 * Module 04: the stale-while-revalidate mistakes, each the reference with one thing wrong
 * (grader/test/fixtures/04-stale-while-revalidate/mutations.ts), fail the check that the README
 * and the instructor page say they fail, with the message they quote; correct variants (other
 * claim mechanisms, a class written from scratch) pass every check.
 */
import { describe, expect, it } from 'vitest';
import swr from '../modules/04-stale-while-revalidate/module.js';
import { mutations } from './fixtures/04-stale-while-revalidate/mutations.js';
import { gradeFixture } from './support/fixtures.js';
import { gradeMutant } from './support/mutants.js';

const grade = (name: string, only: readonly string[], seeds = [1]) => gradeMutant(swr, mutations[name]!, only, seeds);
const simulated = swr.checks.filter((c) => !c.name.startsWith('real Redis')).map((c) => c.name);

const cases: Array<[mistake: string, fixture: string, check: string, message: RegExp]> = [
  ['the refresh awaited in the request path', 'awaited-refresh', 'no wait at soft expiry', /at a soft expiry, took \d+ ms .* want every request within 12 ms/],
  ['no refresh claim: every instance refreshes', 'no-claim', 'one refresh per window', /the fleet sent 4 queries to the origin \(\[1, 1, 1, 1\] by instance\), want 1: one refresh for the whole fleet/],
  ['no second read after winning the claim: with store round trips, a late claim refreshes again', 'no-reread', 'one refresh per window', /the fleet sent 2 queries to the origin .* want 1/],
  ['freshUntil never checked: the value goes stale and stays so until the store drops it', 'soft-never-checked', 'one refresh per window', /went stale at about .* and no refresh came .* compare clock\.now\(\) with the entry's freshUntil/],
  ['stale served past the hard TTL (PX soft + hard)', 'px-soft-plus-hard', 'staleness bounded', /100 ms past its hard expiry, got version 2 \d+ ms old .* want a fresh value/],
  ['a failed refresh keeps its claim for claimMs', 'keeps-claim', 'failed refresh frees the claim', /the next attempt came at .* want within swr\.retryMs \+ 200 ms .* kept its claim until it expired/],
  ['a failed refresh retried on the next read', 'retry-every-read', 'stale-if-error', /two of them \d+ ms apart .* want at most one per swr\.retryMs \(1000 ms\)/],
  ["the background refresh's failure not handled", 'unhandled-failure', 'stale-if-error', /unhandled-failure\/swr-cache\.ts: a promise rejected and nothing handled it \(HerdError: origin query for "home" failed\)/],
];

describe('module 04: each stale-while-revalidate mistake fails the check that teaches it', () => {
  it.each(cases)('%s', async (_what, fixture, check, message) => {
    const c = (await grade(fixture, [check])).checks[0]!;
    expect(c.status, c.message).toBe('fail');
    expect(c.message).toMatch(message);
    expect(c.message).not.toContain('\n');
  });
});

describe('module 04: correct variants pass', () => {
  it.each(['alt-backoff-key', 'alt-claim-is-retry'])('%s', async (fixture) => {
    const r = await grade(fixture, simulated, [1, 2]);
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });

  it('a class with no in-process set, unfenced writes and its own claim name', async () => {
    const r = await gradeFixture(swr, { 'swr-cache.ts': 'alt-class.ts' }, { seeds: [1, 2], only: simulated });
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });
});
