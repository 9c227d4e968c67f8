/**
 * Module 02: plausible wrong single flights (mutations.ts, and the blind batch in blind.ts), each
 * rejected by the check that names its mistake, and correct ones written differently (a class,
 * a deferred, promise-coalesce, p-memoize...), accepted: variantsSuite grades them all on seed 1.
 * Below it, what the suite cannot express: one mistake seen by a second check, and a crash kept
 * to one check.
 */
import { describe, expect, it } from 'vitest';
import singleFlight from '../modules/02-single-flight/module.js';
import { gradeIsolated } from '../src/isolated.js';
import { mutations } from './fixtures/02-single-flight/mutations.js';
import { gradeMutant, mutantSpec } from './support/mutants.js';
import { moduleVariants, variantsSuite } from './support/verdicts.js';

variantsSuite(singleFlight, await moduleVariants(singleFlight));

describe('module 02: what one verdict per variant cannot say', () => {
  it('a successful result kept forever is also a value served past its TTL', async () => {
    const b = (await gradeMutant(singleFlight, mutations['keeps-success']!, ['one query per boundary'])).checks[0]!;
    expect(b.status, b.message).toBe('fail');
    expect(b.message).toMatch(/was served version 1 when it was \d+ ms old, want at most 10000 ms: a value outlived its bound/);
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
