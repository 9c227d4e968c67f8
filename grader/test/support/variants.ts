/**
 * A variant of a module's reference: a mistake (or a correct alternative) as edits to one
 * reference file, or as a whole file that replaces it. The variant is written under
 * .herd/variants/<module>/<name>/ (git-ignored, rewritten on every run) beside the reference's
 * other files, and graded from there. Mistakes written by someone who never saw the checks (the
 * blind batches, fixtures/NN-name/blind.ts) and the ones written beside the checks
 * (mutations.ts) are both variants.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@herd/harness/engine';
import type { ModuleDefinition } from '../../src/define.js';
import type { ModuleSpec } from '../../src/manifest.js';
import { fixtureDir } from './fixtures.js';

export interface Variant {
  kind?: 'wrong' | 'right';
  /** What is wrong (or, for a correct variant, what is different), for the file's first line. */
  note: string;
  /** What a user of the wrong code would see (blind batches say it in their own words). */
  symptom?: string;
  /** The learner file it replaces; default the module's first file. */
  file?: string;
  /** Edits to the reference file: each `from` must still be in it, once. */
  edits?: ReadonlyArray<readonly [from: string, to: string]>;
  /** Or a whole file, relative to the module's fixture folder. */
  source?: string;
  /** A wrong variant: the check that names its symptom, which must fail it on every seed... */
  rejectedBy?: string;
  /** ...with a message that says so. */
  says?: RegExp;
}

/** Reads the reference file with the variant applied; fails loudly when an edit no longer applies. */
export function variantSource(def: ModuleDefinition, name: string, variant: Variant): string {
  const file = variant.file ?? Object.keys(def.files)[0]!;
  if (variant.source !== undefined) {
    return `// Variant "${name}": ${variant.note}\n${readFileSync(path.join(repoRoot, fixtureDir(def.id), variant.source), 'utf8')}`;
  }
  let source = readFileSync(path.join(repoRoot, 'solutions', def.id, file), 'utf8');
  for (const [from, to] of variant.edits ?? []) {
    const at = source.indexOf(from);
    if (at < 0) throw new Error(`variant "${name}": the reference ${file} no longer contains ${JSON.stringify(from)}; update the variant`);
    if (source.indexOf(from, at + 1) >= 0) throw new Error(`variant "${name}": ${JSON.stringify(from)} occurs twice in the reference ${file}; make the edit unique`);
    source = source.slice(0, at) + to + source.slice(at + from.length);
  }
  return `// Variant "${name}": ${variant.note}\n${source}`;
}

/** The module with `variant` in place of its reference file, as a spec read from the variant's folder. */
export function variantSpec(def: ModuleDefinition, name: string, variant: Variant, folder = 'variants'): ModuleSpec {
  const dir = path.join('.herd', folder, def.id, name);
  mkdirSync(path.join(repoRoot, dir), { recursive: true });
  const target = variant.file ?? Object.keys(def.files)[0]!;
  for (const file of Object.keys(def.files)) {
    const source = file === target ? variantSource(def, name, variant) : readFileSync(path.join(repoRoot, 'solutions', def.id, file), 'utf8');
    writeFileSync(path.join(repoRoot, dir, file), source);
  }
  return { ...def, dir };
}
