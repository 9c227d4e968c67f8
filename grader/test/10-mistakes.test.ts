/**
 * Module 10: every load-shedding variant gets its verdict on the grader's first seed. The
 * mistakes (grader/test/fixtures/10-load-shedding/mutations.ts, edits to the reference or files
 * of their own) and the blind batch (blind.ts) each fail the check that names their symptom,
 * with the message the README and the instructor page quote; the correct variants pass every
 * check. `pnpm verdicts 10` grades the same on eight seeds. One case the suite cannot say: a
 * fixed rate limit passes goodput at every level, and only the capacity change rejects it.
 */
import { describe, expect, it } from 'vitest';
import shedding from '../modules/10-load-shedding/module.js';
import { mutations } from './fixtures/10-load-shedding/mutations.js';
import { gradeMutant } from './support/mutants.js';
import { moduleVariants, variantsSuite } from './support/verdicts.js';

variantsSuite(shedding, await moduleVariants(shedding));

describe('module 10: a fixed rate limit', () => {
  it('passes goodput while the node stays as it is and fails when the capacity changes', async () => {
    const r = await gradeMutant(shedding, mutations['fixed-rate']!, ['goodput under overload', 'capacity changes']);
    const [goodput, capacity] = r.checks;
    expect(goodput!.status, goodput!.message).toBe('pass');
    expect(capacity!.status).toBe('fail');
    expect(capacity!.message).toMatch(/requests twice as slow \(3-7 s, 500\/s\): goodput never got back to 450\/s.* a fixed rate/);
    expect(capacity!.message).not.toContain('\n');
  });
});
