/**
 * Mistakes made on a copy of a module's reference, written beside the checks: a mutation is a
 * variant (variants.ts) with edits, named; it lives in grader/test/fixtures/<module>/mutations.ts
 * and is graded from .herd/mutants/.
 */
import type { ModuleDefinition } from '../../src/define.js';
import { gradeModule } from '../../src/grade.js';
import type { ModuleSpec } from '../../src/manifest.js';
import type { ModuleResult } from '../../src/types.js';
import { variantSpec, type Variant } from './variants.js';

export interface Mutation extends Variant {
  name: string;
}

/** The module with `mutation` applied to its reference, as a spec whose files are read from the mutant's folder. */
export function mutantSpec(def: ModuleDefinition, mutation: Mutation): ModuleSpec {
  return variantSpec(def, mutation.name, mutation, 'mutants');
}

/** Grades the mutant with `only` these checks, on seed 1 unless told otherwise. */
export function gradeMutant(def: ModuleDefinition, mutation: Mutation, only: readonly string[], seeds: readonly number[] = [1]): Promise<ModuleResult> {
  return gradeModule(mutantSpec(def, mutation), 'starter', { seeds, only });
}
