/**
 * Grades one module for one target: loads its files, runs each check over the seeds, and folds
 * the outcomes into one result per check. A check's figure comes from the first failing seed, or
 * from the first seed when all pass, so the output is the same on every run.
 */
import { checksFor } from '../checks/index.js';
import { describeLearnerError, firstLine } from './learner-error.js';
import { loadExports, mainFile } from './load-learner.js';
import type { ModuleSpec } from './manifest.js';
import type { CheckResult, ModuleResult, Status, Target } from './types.js';

export const DEFAULT_SEEDS = [1, 2, 3] as const;

export interface GradeOptions {
  /** Seeds to grade on; default 1, 2, 3. `--seed N` passes one. */
  seeds?: readonly number[];
  /** Only these checks (by name). */
  only?: readonly string[];
  /** Called as each check starts on each seed: the isolated grader's watchdog listens to it. */
  onCheck?(name: string, seed: number): void;
  /** Called with each check's result as soon as it is known. */
  onResult?(result: CheckResult): void;
}

/** `checksId` grades `spec`'s files with another module's checks (the mistake fixtures use it). */
export async function gradeModule(spec: ModuleSpec, target: Target, options: GradeOptions = {}, checksId = spec.id): Promise<ModuleResult> {
  const seeds = options.seeds ?? DEFAULT_SEEDS;
  const file = mainFile(spec, target);
  const impl = await checksFor(checksId);
  const wanted = spec.checks.filter((c) => options.only === undefined || options.only.includes(c.name));

  let exports: Record<string, unknown> | undefined;
  let loadFailure: string | undefined;
  try {
    exports = await loadExports(spec, target);
  } catch (error) {
    loadFailure = describeLearnerError(error, file);
  }

  const checks: CheckResult[] = [];
  for (const check of wanted) {
    const base = { name: check.name, target: check.target, measured: '', message: '', seed: null };
    if (exports === undefined) {
      checks.push({ ...base, status: 'error', measured: '-', message: loadFailure! });
      continue;
    }
    const fn = impl.checks[check.name];
    if (fn === undefined) {
      checks.push({ ...base, status: 'error', measured: '-', message: `grader bug: no implementation for check "${check.name}"` });
      continue;
    }
    const runSeeds = check.seeds === 'once' ? seeds.slice(0, 1) : seeds;
    let result: CheckResult | undefined;
    for (const seed of runSeeds) {
      options.onCheck?.(check.name, seed);
      try {
        const outcome = await fn({ seed, target, exports, value: check.value });
        if (outcome.skipped) {
          result = { ...base, status: 'skipped', measured: outcome.measured, message: outcome.message ?? '', seed };
          break;
        }
        const status: Status = outcome.pass ? 'pass' : 'fail';
        const current: CheckResult = {
          ...base,
          status,
          measured: outcome.measured,
          message: outcome.message ?? '',
          seed,
          series: outcome.series,
        };
        result ??= current;
        if (!outcome.pass) {
          result = current;
          break;
        }
      } catch (error) {
        result = { ...base, status: 'error', measured: '-', message: describeLearnerError(error, file), seed };
        break;
      }
    }
    checks.push(result!);
    options.onResult?.(result!);
  }
  return { id: spec.id, title: spec.title, status: foldStatus(checks.map((c) => c.status)), checks };
}

export function foldStatus(statuses: readonly Status[]): Status {
  if (statuses.includes('error')) return 'error';
  if (statuses.includes('fail')) return 'fail';
  if (statuses.length > 0 && statuses.every((s) => s === 'skipped')) return 'skipped';
  return 'pass';
}

export { firstLine };
