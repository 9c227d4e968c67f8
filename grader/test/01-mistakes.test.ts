/**
 * Module 01: plausible wrong naive caches and predictions, each rejected by the check that names
 * its mistake, and correct ones written differently, accepted: every variant of mutations.ts and
 * of the blind batch (blind.ts), graded by its verdict (variantsSuite).
 */
import stampede from '../modules/01-stampede/module.js';
import { moduleVariants, variantsSuite } from './support/verdicts.js';

variantsSuite(stampede, await moduleVariants(stampede));
