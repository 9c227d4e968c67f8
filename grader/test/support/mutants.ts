/**
 * Mistakes made on a copy of a module's reference: a mutation is a list of edits (each `from`
 * must still be in the reference, so a mutation can never silently stop applying). The mutant is
 * written under .herd/mutants/ (git-ignored, rewritten on every run) and graded from there; the
 * mutations themselves live in grader/test/fixtures/<module>/mutations.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@herd/harness/engine';
import type { ModuleDefinition } from '../../src/define.js';
import { gradeModule } from '../../src/grade.js';
import type { ModuleSpec } from '../../src/manifest.js';
import type { ModuleResult } from '../../src/types.js';

export interface Mutation {
  name: string;
  /** What is wrong (or, for a correct variant, what is different), for the file's first line. */
  note: string;
  /** The reference file the edits apply to; default the module's first file. */
  file?: string;
  edits: ReadonlyArray<readonly [from: string, to: string]>;
}

/** The module with `mutation` applied to its reference, as a spec whose files are read from the mutant's folder. */
export function mutantSpec(def: ModuleDefinition, mutation: Mutation): ModuleSpec {
  const dir = path.join('.herd', 'mutants', def.id, mutation.name);
  mkdirSync(path.join(repoRoot, dir), { recursive: true });
  const target = mutation.file ?? Object.keys(def.files)[0]!;
  for (const file of Object.keys(def.files)) {
    let source = readFileSync(path.join(repoRoot, 'solutions', def.id, file), 'utf8');
    if (file === target) {
      for (const [from, to] of mutation.edits) {
        if (!source.includes(from)) throw new Error(`mutation "${mutation.name}": the reference ${file} no longer contains ${JSON.stringify(from)}; update the mutation`);
        source = source.replace(from, to);
      }
      source = `// Mutant "${mutation.name}": ${mutation.note}\n${source}`;
    }
    writeFileSync(path.join(repoRoot, dir, file), source);
  }
  return { ...def, dir };
}

/** Grades the mutant with `only` these checks, on seed 1 unless told otherwise. */
export function gradeMutant(def: ModuleDefinition, mutation: Mutation, only: readonly string[], seeds: readonly number[] = [1]): Promise<ModuleResult> {
  return gradeModule(mutantSpec(def, mutation), 'starter', { seeds, only });
}
