/**
 * Module 09: every variant of the reference with its verdict (grader/test/fixtures/09-jitter-backoff/:
 * the mistakes of mutations.ts and of the blind batch, blind.ts, each rejected by the check that
 * names it with the message it must say; the correct ones written differently, including
 * retry() delegating to exponential-backoff, passing every check), on the grader's first seed.
 * `pnpm verdicts 09` grades the same on eight seeds, with margins.
 */
import backoff from '../modules/09-jitter-backoff/module.js';
import { moduleVariants, variantsSuite } from './support/verdicts.js';

variantsSuite(backoff, await moduleVariants(backoff));
