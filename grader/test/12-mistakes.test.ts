/**
 * Module 12: every metastable-retries variant gets its verdict on the grader's first seed. The
 * mistakes (grader/test/fixtures/12-metastable-retries/mutations.ts, each the reference with one
 * thing wrong) and the blind batch (blind.ts, written without the grader) each fail the check
 * that names their symptom, with the message the README and the instructor page quote; the
 * correct variants (Finagle-style and counter budgets, other throttle windows, a per-caller
 * throttle, other gates) pass every check. `pnpm verdicts 12` grades the same on eight seeds.
 */
import meta from '../modules/12-metastable-retries/module.js';
import { moduleVariants, variantsSuite } from './support/verdicts.js';

variantsSuite(meta, await moduleVariants(meta));
