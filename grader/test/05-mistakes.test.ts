/**
 * Module 05: every variant of grader/test/fixtures/05-early-expiration/ has a verdict. The XFetch
 * mistakes (mutations.ts: the reference with one thing wrong, and per-process.ts) and the blind
 * batch (blind.ts, written by someone who never saw the checks) each fail the check that names
 * their symptom, with the message that says so; correct code written differently (alt-*.ts, the
 * blind batch's right ones: another form of the rule, a class, a smoothed delta, a claim, PTTL)
 * passes every check. Seed 1 here; `pnpm verdicts 05` grades the same variants on eight seeds.
 */
import { describe, expect, it } from 'vitest';
import xfetch from '../modules/05-early-expiration/module.js';
import { gradeModule } from '../src/grade.js';
import { variantSpec } from './support/variants.js';
import { moduleVariants, suiteRight, variantsSuite, verdictProblem } from './support/verdicts.js';

const variants = await moduleVariants(xfetch);
/**
 * Right variants that use the store differently (a claim, PTTL) are graded on the real Redis
 * too. The others differ in the rule or the shape of the code, which the virtual-clock checks
 * see; here they are spared the 4 s real-time run (`pnpm verdicts 05` runs it for every one).
 */
const onRedis = new Set(['xfetch-plus-claim', 'expiry-from-pttl']);
const virtualOnly = { ...xfetch, checks: xfetch.checks.filter((c) => c.name !== 'real Redis: fleet recomputes early') };

variantsSuite(xfetch, variants.filter((v) => v.kind === 'wrong' || onRedis.has(v.name)));

describe('module 05: the other right variants pass every virtual-clock check', () => {
  const rest = suiteRight(variants.filter((v) => v.kind === 'right' && !onRedis.has(v.name)));
  it.each(rest.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
    const r = await gradeModule(variantSpec(virtualOnly, v.name, v.variant, v.from), 'starter', { seeds: [1] });
    expect(verdictProblem(v, r.checks)).toBeUndefined();
  });
});
