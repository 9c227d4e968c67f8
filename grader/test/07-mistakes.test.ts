/**
 * Module 07: every negative-caching variant of grader/test/fixtures/07-negative-caching/ gets
 * its verdict on the grader's first seed: each mistake fails the check that names its symptom,
 * with the message the README and the instructor page quote; each correct variant (lru-cache on
 * library time, another read of the LRU, a hand-made LRU) passes every check. `pnpm verdicts 07`
 * grades the same on eight seeds, the real-Redis check included for every one.
 */
import { describe, expect, it } from 'vitest';
import negative from '../modules/07-negative-caching/module.js';
import { gradeModule } from '../src/grade.js';
import { variantSpec } from './support/variants.js';
import { moduleVariants, variantsSuite, verdictProblem } from './support/verdicts.js';

const variants = await moduleVariants(negative);
/** The one right variant that uses the store differently (GET of an expiry, not PTTL) also runs on the real Redis. */
const onRedis = new Set(['alt-hand-lru']);
const virtualOnly = { ...negative, checks: negative.checks.filter((c) => !c.name.startsWith('real Redis')) };

variantsSuite(negative, variants.filter((v) => v.kind === 'wrong' || onRedis.has(v.name)));

describe('module 07: the other right variants pass every virtual-clock check', () => {
  const rest = variants.filter((v) => v.kind === 'right' && !onRedis.has(v.name));
  it.each(rest.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
    const r = await gradeModule(variantSpec(virtualOnly, v.name, v.variant, v.from), 'starter', { seeds: [1] });
    expect(verdictProblem(v, r.checks)).toBeUndefined();
  });
});
