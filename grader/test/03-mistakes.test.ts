/**
 * Module 03: every variant of the reference (grader/test/fixtures/03-distributed-lock/: the
 * mistakes of mutations.ts and the blind batch of blind.ts) gets its verdict on the grader's first
 * seed: each wrong one fails the check that names its mistake, with the message it quotes; each
 * right one passes every check. `pnpm verdicts 03` grades the same variants on eight seeds.
 *
 * The right variants skip the real-Redis check here (it runs 4.5 s in real time per variant, the
 * same property as 'one rebuild fleet-wide' on a real server); `pnpm verdicts 03` grades it.
 */
import { describe, expect, it } from 'vitest';
import lock from '../modules/03-distributed-lock/module.js';
import { mutations } from './fixtures/03-distributed-lock/mutations.js';
import { gradeMutant } from './support/mutants.js';
import { moduleVariants, variantsSuite } from './support/verdicts.js';

const virtualOnly = { ...lock, checks: lock.checks.filter((c) => !c.name.startsWith('real Redis')) };

variantsSuite(virtualOnly, await moduleVariants(lock));

describe('module 03: a mistake the verdicts cannot express (an error, not a failure)', () => {
  it('no maxWaitMs check: the bounded sleep reaches 0 and the loop spins, named in one line', async () => {
    const c = (await gradeMutant(lock, mutations['spin-at-max-wait']!, ['waiters give up'])).checks[0]!;
    expect(c.status, c.message).toBe('error');
    expect(c.message).toMatch(/spin-at-max-wait\/locked-cache\.ts: get\("home"\) #1 was still pending at t=2\.000s, where something rescheduled itself 100,000 times/);
    expect(c.message).not.toContain('\n');
  });
});
