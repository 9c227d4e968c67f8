/**
 * Module 08: every cache-warming variant gets its verdict on the grader's first seed. The
 * mistakes (grader/test/fixtures/08-cache-warming/mutations.ts, edits to the reference) each fail
 * the check that names their symptom, with the message the README and the instructor page quote;
 * the correct variants pass every check. `pnpm verdicts 08` grades the same on eight seeds.
 */
import warming from '../modules/08-cache-warming/module.js';
import { moduleVariants, variantsSuite } from './support/verdicts.js';

variantsSuite(warming, await moduleVariants(warming));
