/**
 * Module 07: every negative-caching variant of grader/test/fixtures/07-negative-caching/ gets
 * its verdict on the grader's first seed: each mistake fails the check that names its symptom,
 * with the message the README and the instructor page quote; each correct variant (lru-cache on
 * library time, another read of the LRU, hand-made LRUs, a hand-made Bloom filter) passes the
 * checks its difference can reach. `pnpm verdicts 07` grades every variant on every check on
 * eight seeds, the real-Redis check included.
 */
import { describe, expect, it } from 'vitest';
import negative from '../modules/07-negative-caching/module.js';
import { gradeModule } from '../src/grade.js';
import { variantSpec } from './support/variants.js';
import { moduleVariants, variantsSuite, verdictProblem, type NamedVariant } from './support/verdicts.js';

const variants = await moduleVariants(negative);
/** The one right variant that uses the store differently (GET of an expiry, not PTTL) also runs on the real Redis. */
const onRedis = new Set(['alt-hand-lru']);
const virtualChecks = negative.checks.filter((c) => !c.name.startsWith('real Redis')).map((c) => c.name);
/**
 * Right variants whose difference stays inside the negative LRU (its options, its clock, its
 * read): on seed 1 here, the checks that read that LRU; the filter-only one, the filter's check.
 */
const lruChecks = ['one "not found" per key per negative TTL', 'scan: negative entries bounded', 'created key served within the negative TTL'];
const reach: Record<string, string[]> = {
  'hand-made-bloom': ['optional: Bloom filter of existing ids'],
  'maxsize-count': lruChecks,
  'get-bumps-recency': lruChecks,
  'library-time': lruChecks,
};
/** The blind batch's library-time is the mutation library-time again (the perf option removed): graded once here. */
const twice = (v: NamedVariant): boolean => v.from === 'blind' && v.name === 'library-time';

variantsSuite(negative, variants.filter((v) => v.kind === 'wrong' || onRedis.has(v.name)));

describe('module 07: the other right variants pass every virtual-clock check they can reach', () => {
  const rest = variants.filter((v) => v.kind === 'right' && !onRedis.has(v.name) && !twice(v));
  it.each(rest.map((v) => [`${v.from}/${v.name}`, v] as const))('%s', async (_name, v) => {
    const only = reach[v.name] ?? virtualChecks;
    const r = await gradeModule(variantSpec(negative, v.name, v.variant, v.from), 'starter', { seeds: [1], only });
    expect(verdictProblem(v, r.checks)).toBeUndefined();
  });
});
