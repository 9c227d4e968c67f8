/**
 * Module 04: every stale-while-revalidate mistake (grader/test/fixtures/04-stale-while-revalidate/:
 * the mutations written beside the checks and the blind batch written without them) fails the
 * check that names it, with the message it must say; every correct variant (a backoff key, a
 * class with a promise map, a claim cut only while it is held) passes every check. On the
 * grader's first seed here; `pnpm verdicts 04` grades them on eight.
 */
import swr from '../modules/04-stale-while-revalidate/module.js';
import { moduleVariants, variantsSuite } from './support/verdicts.js';

variantsSuite(swr, await moduleVariants(swr));
