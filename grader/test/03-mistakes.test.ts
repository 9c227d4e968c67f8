/**
 * Module 03: the classic lock mistakes, each the reference with one thing wrong
 * (grader/test/fixtures/03-distributed-lock/mutations.ts), fail the check that the README and the
 * instructor page say they fail, with the message they quote; correct variants pass.
 */
import { describe, expect, it } from 'vitest';
import lock from '../modules/03-distributed-lock/module.js';
import { mutations } from './fixtures/03-distributed-lock/mutations.js';
import { gradeMutant } from './support/mutants.js';

const grade = (name: string, only: readonly string[], seeds = [1]) => gradeMutant(lock, mutations[name]!, only, seeds);

const cases: Array<[mistake: string, fixture: string, check: string, status: 'fail' | 'error', message: RegExp]> = [
  ['an unfenced write: the slow holder overwrites the newer value', 'unfenced', 'slow holder fenced', 'fail', /store ends with version 1 .* want version 2/],
  ['the fence taken after the rebuild', 'late-fence', 'slow holder fenced', 'fail', /store ends with version 1 .* want version 2/],
  ["a fence from the holder's clock, which runs ahead", 'clock-fence', 'slow holder fenced', 'fail', /store ends with version 1 .* from store\.nextFence \(not from a clock\)/],
  ['release with a plain DEL', 'del-release', 'release by non-holder', 'fail', /released with store\.del\("lock:home"\): a release that ignores the token/],
  ['one token for every holder: a stale holder would release the next holder\'s lock', 'same-token', 'release by non-holder', 'fail', /took the lock with a token an earlier acquire had used, want a fresh token per acquire/],
  ['a lock that lives as long as the value', 'px-is-ttl', 'release by non-holder', 'fail', /acquired with PX 10000 ms, want lock\.pxMs \(1000 ms\)/],
  ['the release not in finally: a failed rebuild keeps the lock', 'no-finally', 'failed rebuild releases', 'fail', /kept its lock until it expired \(1000 ms\); release it in finally/],
  ['a poll backoff without a cap', 'uncapped', 'crashed holder', 'fail', /the slowest request waited \d+ ms, want <= 760 ms/],
  ['waiters that never give up sit out a 60 s lock', 'no-max-wait', 'waiters give up', 'fail', /requests waited 60\.\d s, past maxWaitMs \(2000 ms\), then sent 1 origin query/],
  [
    'no maxWaitMs check: the bounded sleep reaches 0 and the loop spins, named in one line',
    'spin-at-max-wait',
    'waiters give up',
    'error',
    /spin-at-max-wait\/locked-cache\.ts: get\("home"\) #1 was still pending at t=2\.000s, where something rescheduled itself 100,000 times/,
  ],
  ['no second read after winning the lock: with store round trips, a waiter that acquires after the write rebuilds again', 'no-reread', 'one rebuild fleet-wide', 'fail', /the fleet sent 2 queries to the origin .* want 1/],
  ['lock waits reported in seconds', 'waits-in-seconds', 'lock wait measured', 'fail', /reported a wait of [\d.]+ ms where the harness measured \d+ ms/],
  ['lock waits in a module-level list', 'module-waits', 'lock wait measured', 'fail', /i0's lockWaits\(\) returned \d+ waits, want \d+.*module-level variable/],
];

describe('module 03: each lock mistake fails the check that teaches it', () => {
  it.each(cases)('%s', async (_what, fixture, check, status, message) => {
    const c = (await grade(fixture, [check])).checks[0]!;
    expect(c.status, c.message).toBe(status);
    expect(c.message).toMatch(message);
    expect(c.message).not.toContain('\n');
  });
});

describe('module 03: correct variants pass', () => {
  it.each(['alt-fixed-poll', 'alt-gentle-backoff'])('%s', async (fixture) => {
    const r = await grade(fixture, lock.checks.filter((c) => !c.name.startsWith('real Redis')).map((c) => c.name), [1, 2]);
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });
});
