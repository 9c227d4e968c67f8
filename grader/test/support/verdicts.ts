/**
 * A module's variants and their verdicts: every mutation (mutations.ts) and every variant of the
 * blind batch (blind.ts) in grader/test/fixtures/<module>/. A wrong one names the check that must
 * reject it (`rejectedBy`) and what that check must say (`says`); a right one must pass every
 * check. The mistakes tests grade them on the grader's first seed; `pnpm verdicts` on eight.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '@herd/harness/engine';
import { describe, expect, it } from 'vitest';
import type { ModuleDefinition } from '../../src/define.js';
import { gradeModule } from '../../src/grade.js';
import type { CheckResult } from '../../src/types.js';
import { fixtureDir } from './fixtures.js';
import { variantSpec, type Variant } from './variants.js';

export interface NamedVariant {
  name: string;
  /** Which file of the fixture folder it comes from. */
  from: 'mutations' | 'blind';
  kind: 'wrong' | 'right';
  variant: Variant;
}

/** The module's annotated variants: mutations with a kind or a rejectedBy, and the whole blind batch. */
export async function moduleVariants(def: ModuleDefinition): Promise<NamedVariant[]> {
  const out: NamedVariant[] = [];
  for (const from of ['mutations', 'blind'] as const) {
    const file = path.join(repoRoot, fixtureDir(def.id), `${from}.ts`);
    if (!existsSync(file)) continue;
    const mod = (await import(pathToFileURL(file).href)) as Record<string, Record<string, Variant> | undefined>;
    for (const [name, variant] of Object.entries(mod[from] ?? {})) {
      const kind = variant.kind ?? (variant.rejectedBy !== undefined ? 'wrong' : undefined);
      if (kind !== undefined) out.push({ name, from, kind, variant });
    }
  }
  return out;
}

/** Why a variant's grade is not its verdict, or undefined when it is. */
export function verdictProblem(v: NamedVariant, checks: readonly CheckResult[]): string | undefined {
  if (v.kind === 'right') {
    const bad = checks.find((c) => c.status !== 'pass');
    return bad === undefined ? undefined : `"${bad.name}" ${bad.status} (seed ${bad.seed}): ${bad.message}`;
  }
  const c = checks.find((r) => r.name === v.variant.rejectedBy);
  if (c === undefined) return `names no check of this module ("${v.variant.rejectedBy}")`;
  if (c.status !== 'fail') return `"${c.name}" ${c.status === 'pass' ? 'passed it' : `${c.status}: ${c.message}`}`;
  if (v.variant.says !== undefined && !v.variant.says.test(c.message)) return `"${c.name}" failed it, but said: ${c.message}`;
  return undefined;
}

/**
 * Right variants `pnpm test` grades per module. A right one costs a whole grade (every check),
 * a wrong one only the check that names it, so a dozen right ones per module made the suite's
 * slowest part; `pnpm verdicts` still grades every one of them, on eight seeds.
 */
export const RIGHT_IN_SUITE = 4;

/** The right variants the suite grades: the blind batch's first (written without the checks), then the mutations'. */
export function suiteRight(variants: readonly NamedVariant[]): NamedVariant[] {
  const right = variants.filter((v) => v.kind === 'right');
  return [...right.filter((v) => v.from === 'blind'), ...right.filter((v) => v.from !== 'blind')].slice(0, RIGHT_IN_SUITE);
}

/**
 * The vitest suite of a module's variants: each wrong one rejected by its check on `seeds`, and
 * RIGHT_IN_SUITE right ones passing every check (`pnpm verdicts NN` grades all of them).
 */
export function variantsSuite(def: ModuleDefinition, variants: readonly NamedVariant[], seeds: readonly number[] = [1]): void {
  const wrong = variants.filter((v) => v.kind === 'wrong');
  const right = suiteRight(variants);
  const allRight = variants.filter((v) => v.kind === 'right').length;
  const grade = (v: NamedVariant, only?: string[]) => gradeModule(variantSpec(def, v.name, v.variant, v.from), 'starter', { seeds, ...(only ? { only } : {}) });
  describe(`module ${def.id}: every wrong variant fails the check that names it`, () => {
    it.each(wrong.map((v) => [v.name, v.variant.rejectedBy, v] as const))('%s: rejected by "%s"', async (_name, check, v) => {
      const r = await grade(v, [check!]);
      expect(verdictProblem(v, r.checks)).toBeUndefined();
    });
  });
  describe(`module ${def.id}: right variants pass (${right.length} of ${allRight}; pnpm verdicts ${def.id.slice(0, 2)} grades all)`, () => {
    it.each(right.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
      const r = await grade(v);
      expect(verdictProblem(v, r.checks)).toBeUndefined();
    });
  });
}
