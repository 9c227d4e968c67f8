/**
 * Module 13: every variant with its verdict (grader/test/fixtures/13-circuit-breaker/: the
 * mutations, the library delegations and the correct files written differently in
 * mutations.ts, the blind batch in blind.ts), on the grader's first seed. Each wrong one is
 * rejected by the check that names its mistake, with the message that says so; each right one
 * passes every check. `pnpm verdicts 13` grades the same on eight seeds, with margins.
 */
import breaker from '../modules/13-circuit-breaker/module.js';
import { moduleVariants, variantsSuite } from './support/verdicts.js';

variantsSuite(breaker, await moduleVariants(breaker));
