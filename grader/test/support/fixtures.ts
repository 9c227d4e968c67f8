/**
 * Grading fixture files: learner files with one mistake each (or an alternative correct
 * solution), read where they are, in grader/test/fixtures/<folder>, with a module's checks.
 */
import type { ModuleDefinition } from '../../src/define.js';
import { gradeModule } from '../../src/grade.js';
import { gradeIsolated } from '../../src/isolated.js';
import type { ModuleSpec } from '../../src/manifest.js';
import type { CheckResult, ModuleResult } from '../../src/types.js';

export const fixtureDir = (folder: string): string => `grader/test/fixtures/${folder}`;

/** `files` maps each of the module's file names to the fixture file that stands in for it. */
export function fixtureSpec(def: ModuleDefinition, files: Record<string, string>, folder = def.id): ModuleSpec {
  const names = Object.keys(def.files);
  return { ...def, dir: fixtureDir(folder), files: Object.fromEntries(names.map((n) => [files[n] ?? n, def.files[n]!])) };
}

export interface GradeFixtureOptions {
  only?: readonly string[];
  seeds?: readonly number[];
  /** In a watched child process: for mistakes that would take down the process they run in. */
  isolated?: boolean;
  watchdogMs?: number;
  heapMb?: number;
  folder?: string;
}

export async function gradeFixture(def: ModuleDefinition, files: Record<string, string>, options: GradeFixtureOptions = {}): Promise<ModuleResult> {
  const spec = fixtureSpec(def, files, options.folder);
  const seeds = options.seeds ?? [1];
  return options.isolated
    ? gradeIsolated(spec, 'starter', { seeds, only: options.only, watchdogMs: options.watchdogMs, heapMb: options.heapMb })
    : gradeModule(spec, 'starter', { seeds, only: options.only });
}

/** The one check a mistake must fail. */
export async function failing(def: ModuleDefinition, files: Record<string, string>, check: string, options: GradeFixtureOptions = {}): Promise<CheckResult> {
  const r = await gradeFixture(def, files, { ...options, only: [check] });
  return r.checks[0]!;
}
